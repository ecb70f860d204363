package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// goalKind says how a row's figures are judged.
type goalKind int

const (
	report   goalKind = iota // no goal: the figure is reported
	maxRatio                 // ours/baseline ≤ limit
	maxExtra                 // ours−baseline ≤ limit
	maxValue                 // ours ≤ limit (seconds for P5)
)

type goal struct {
	kind  goalKind
	limit float64
}

func (g goal) String() string {
	switch g.kind {
	case maxRatio:
		return "≤ " + strconv.FormatFloat(g.limit, 'f', 2, 64) + "×"
	case maxExtra:
		return "≤ +" + strconv.FormatFloat(g.limit, 'f', -1, 64)
	case maxValue:
		return "≤ " + strconv.FormatFloat(g.limit, 'f', -1, 64) + " s"
	}
	return "report"
}

// spec is one table row: which two benchmarks, which unit, which goal.
type spec struct {
	figure         string
	ours, baseline string // benchmark names below "Benchmark"; baseline may be ""
	unit           string
	goal           goal
	// paired names a leaf that alternates ours and the baseline call by
	// call (metrics ours-p50-ns, base-p50-ns, ours/base); when it has
	// data, a time row uses it rather than the two separate leaves.
	paired string
}

// row is a spec with its figures filled in.
type row struct {
	figure, ours, baseline, ratio, goal, result string
}

var (
	timeGoal  = goal{maxRatio, 1.05}
	allocGoal = goal{maxExtra, 5}
)

// specs lists the table in order. It names the benchmarks of internal/perf.
func specs() []spec {
	var s []spec
	for _, p := range []string{"kassacompleet", "opp", "multisafepay"} {
		for _, op := range []string{"create", "get"} {
			b := "P1/" + p + "/" + op + "/"
			s = append(s,
				spec{"P1 " + p + " " + op + ": time", b + "client", b + "baseline", "ns/op", timeGoal, b + "paired"},
				spec{"P1 " + p + " " + op + ": allocs", b + "client", b + "baseline", "allocs/op", allocGoal, ""},
				spec{"P1 " + p + " " + op + ": time, caller bounds the call", b + "client-deadline", b + "baseline-deadline", "ns/op", timeGoal, b + "paired-deadline"},
				spec{"P1 " + p + " " + op + ": allocs, caller bounds the call", b + "client-deadline", b + "baseline-deadline", "allocs/op", allocGoal, ""})
		}
	}
	for _, op := range []string{"create", "get"} {
		b := "P1/buckaroo/" + op + "/"
		s = append(s,
			spec{"P1 buckaroo " + op + ": time vs precomputed header", b + "client", b + "baseline", "ns/op", goal{}, b + "paired"},
			spec{"P1 buckaroo " + op + ": time vs baseline signing each call", b + "client", b + "baseline-sign", "ns/op", goal{}, b + "paired-sign"},
			spec{"P1 buckaroo " + op + ": allocs vs baseline signing each call", b + "client", b + "baseline-sign", "allocs/op", goal{}, ""})
	}
	for _, op := range []string{"create", "get"} {
		b := "P1/ideal2/" + op + "/"
		s = append(s,
			spec{"P1 ideal2 " + op + ": time, verify off, vs precomputed headers", b + "client", b + "baseline", "ns/op", goal{}, b + "paired"},
			spec{"P1 ideal2 " + op + ": time, verify on, vs precomputed headers", b + "client-verify", b + "baseline", "ns/op", goal{}, ""},
			spec{"P1 ideal2 " + op + ": time, verify off, vs baseline signing each call", b + "client", b + "baseline-sign", "ns/op", goal{}, b + "paired-sign"},
			spec{"P1 ideal2 " + op + ": time, verify on, vs baseline signing+verifying", b + "client-verify", b + "baseline-sign-verify", "ns/op", goal{}, b + "paired-verify"},
			spec{"P1 ideal2 " + op + ": allocs, verify off, vs baseline signing", b + "client", b + "baseline-sign", "allocs/op", goal{}, ""},
			spec{"P1 ideal2 " + op + ": allocs, verify on, vs baseline signing+verifying", b + "client-verify", b + "baseline-sign-verify", "allocs/op", goal{}, ""})
	}
	s = append(s,
		spec{"P2 Buckaroo signing, ~1 KB In3 body: time", "P2/buckaroo/sign", "P2/buckaroo/primitives", "ns/op", goal{maxRatio, 1.25}, "P2/buckaroo/paired"},
		spec{"P2 Buckaroo signing, ~1 KB In3 body: allocs", "P2/buckaroo/sign", "P2/buckaroo/primitives", "allocs/op", goal{}, ""},
		spec{"P3 iDEAL 2.0 request signing (IDEAL2Signer.Sign)", "P3/ideal2/sign/signer", "P3/ideal2/sign/rsa", "ns/op", goal{maxRatio, 1.03}, "P3/ideal2/sign/paired"},
		spec{"P3 iDEAL 2.0 response verification (IDEAL2Verifier.Verify)", "P3/ideal2/verify/verifier", "P3/ideal2/verify/rsa", "ns/op", goal{maxRatio, 1.03}, "P3/ideal2/verify/paired"},
	)
	for _, p := range []string{"kassacompleet", "opp", "multisafepay", "buckaroo", "ideal2"} {
		s = append(s, spec{"P4 sandbox " + p + ": create+get throughput", "P4/" + p, "", "req/s", goal{}, ""})
	}
	for _, p := range []string{"kassacompleet", "opp", "multisafepay", "buckaroo"} {
		b := "Checkout/" + p + "/"
		s = append(s,
			spec{"Checkout " + p + ": create+get vs the client", b + "checkout", b + "client", "ns/op", goal{maxRatio, 1.02}, b + "paired"},
			spec{"Checkout " + p + ": allocs vs the client", b + "checkout", b + "client", "allocs/op", goal{}, ""})
	}
	return s
}

func buildTable(results map[string]*result, gen *generateTimes) []row {
	var rows []row
	for _, sp := range specs() {
		rows = append(rows, fill(sp, results))
	}
	if gen != nil {
		best, med := gen.best(), gen.median()
		limit := goal{maxValue, 1.0}
		rows = append(rows,
			row{"P5 go generate ./..., warm cache: median of " + strconv.Itoa(len(gen.runs)), fmtSeconds(med), "", "", limit.String(), judge(med.Seconds() <= limit.limit)},
			row{"P5 go generate ./..., warm cache: best of " + strconv.Itoa(len(gen.runs)), fmtSeconds(best), "", "", "(median judged)", ""})
	}
	return rows
}

func fill(sp spec, results map[string]*result) row {
	r := row{figure: sp.figure, goal: sp.goal.String()}
	var ours, base, ratio float64
	var ok bool
	if sp.paired != "" {
		ours, ok = lookup(results, sp.paired, "ours-p50-ns")
		if ok {
			base, _ = lookup(results, sp.paired, "base-p50-ns")
			ratio, ok = lookup(results, sp.paired, "ours/base")
			r.figure += " [paired]"
		}
	}
	if !ok {
		if ours, ok = lookup(results, sp.ours, sp.unit); !ok {
			r.ours, r.result = "n/a", "no data"
			return r
		}
		if sp.baseline == "" {
			r.ours, r.baseline = fmtValue(ours, sp.unit), "—"
			if sp.goal.kind == report {
				r.result = "reported"
			}
			return r
		}
		if base, ok = lookup(results, sp.baseline, sp.unit); !ok {
			r.ours, r.baseline, r.result = fmtValue(ours, sp.unit), "n/a", "no data"
			return r
		}
		ratio = ours / base
	}
	r.ours, r.baseline = fmtValue(ours, sp.unit), fmtValue(base, sp.unit)
	extra := ours - base
	if sp.unit == "allocs/op" {
		r.ratio = fmt.Sprintf("%+.0f", extra)
	} else {
		r.ratio = fmt.Sprintf("%.2f×", ratio)
	}
	switch sp.goal.kind {
	case maxRatio:
		r.result = judge(ratio <= sp.goal.limit)
	case maxExtra:
		r.result = judge(extra <= sp.goal.limit)
	case maxValue:
		r.result = judge(ours <= sp.goal.limit)
	default:
		r.result = "reported"
	}
	return r
}

func lookup(results map[string]*result, name, unit string) (float64, bool) {
	r := results["Benchmark"+name]
	if r == nil {
		return 0, false
	}
	return r.median(unit)
}

func judge(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func printTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "Figures (medians of the runs; ratio = ours / baseline, allocs as ours − baseline).")
	fmt.Fprintln(w, "[paired]: ours and the baseline alternated call by call in one benchmark; the times are")
	fmt.Fprintln(w, "per-call medians and the ratio the median of the runs' ratios. Other rows compare the")
	fmt.Fprintln(w, "separate benchmarks' medians.")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tours\tbaseline\tratio\tgoal\tresult")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.figure, r.ours, r.baseline, r.ratio, r.goal, r.result)
	}
	tw.Flush()
	missed := 0
	for _, r := range rows {
		if r.result == "MISSED" {
			missed++
		}
	}
	fmt.Fprintf(w, "\n%d of %d goals missed.\n", missed, countGoals(rows))
}

func countGoals(rows []row) int {
	n := 0
	for _, r := range rows {
		if r.result == "met" || r.result == "MISSED" {
			n++
		}
	}
	return n
}

func fmtValue(v float64, unit string) string {
	switch unit {
	case "ns/op":
		return fmtNanos(v)
	case "allocs/op":
		return strconv.FormatFloat(v, 'f', 0, 64) + " allocs"
	case "B/op":
		return strconv.FormatFloat(v, 'f', 0, 64) + " B"
	case "req/s":
		return strconv.FormatFloat(v, 'f', 0, 64) + " req/s"
	}
	return strconv.FormatFloat(v, 'g', 4, 64) + " " + unit
}

func fmtNanos(ns float64) string {
	switch {
	case ns < 1e3:
		return strconv.FormatFloat(ns, 'f', 0, 64) + "ns"
	case ns < 1e6:
		return strconv.FormatFloat(ns/1e3, 'f', 1, 64) + "µs"
	case ns < 1e9:
		return strconv.FormatFloat(ns/1e6, 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(ns/1e9, 'f', 2, 64) + "s"
}

func fmtSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}
