// Command benchtable runs the side-by-side benchmarks of internal/perf,
// times `go generate ./...`, and prints every raw figure and a table of
// ratios against their goals:
//
//	go run ./internal/cmd/benchtable [-count 5] [-benchtime 500ms] [-generate-runs 3]
//
// Each benchmark runs -count times in one `go test` process; the table
// uses the median of each. Ours and the baseline run in the same process,
// one after the other, so their ratio holds on any machine. A missed goal
// is reported, not an error: the exit status is non-zero only when the
// benchmarks (or go generate) fail to run.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.goCmd, "go", "go", "the go command")
	flag.IntVar(&cfg.count, "count", 5, "runs of each benchmark; the table uses the median")
	flag.StringVar(&cfg.benchtime, "benchtime", "500ms", "go test -benchtime per benchmark and run (empty: go's default, 1s)")
	flag.StringVar(&cfg.bench, "bench", ".", "go test -bench: which benchmarks to run")
	flag.StringVar(&cfg.timeout, "timeout", "1h", "go test -timeout (the default 10m is tight for -count 5 on a busy machine)")
	flag.StringVar(&cfg.pkg, "pkg", "./internal/perf/", "the package holding the benchmarks")
	flag.IntVar(&cfg.generateRuns, "generate-runs", 3, "timed runs of go generate ./... (0 skips P5)")
	flag.BoolVar(&cfg.quiet, "q", false, "do not echo go test's output to stderr while it runs")
	flag.Parse()
	if cfg.count < 1 {
		fmt.Fprintln(os.Stderr, "benchtable: -count must be at least 1")
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

type config struct {
	goCmd, benchtime, bench, pkg, timeout string
	count, generateRuns                   int
	quiet                                 bool
}

func run(cfg config, stdout, stderr io.Writer) error {
	root, err := moduleRoot(cfg.goCmd)
	if err != nil {
		return err
	}
	args := []string{"test", "-run=^$", "-bench=" + cfg.bench, "-benchmem", "-count=" + strconv.Itoa(cfg.count), "-timeout=" + cfg.timeout}
	if cfg.benchtime != "" {
		args = append(args, "-benchtime="+cfg.benchtime)
	}
	args = append(args, cfg.pkg)
	fmt.Fprintf(stderr, "benchtable: %s %s\n", cfg.goCmd, strings.Join(args, " "))
	var out bytes.Buffer
	cmd := exec.Command(cfg.goCmd, args...)
	cmd.Dir = root
	echo := io.Discard
	if !cfg.quiet {
		echo = stderr
	}
	cmd.Stdout = io.MultiWriter(&out, echo)
	cmd.Stderr = io.MultiWriter(&out, echo)
	testErr := cmd.Run()
	results := parse(&out)

	var gen *generateTimes
	if testErr == nil && cfg.generateRuns > 0 {
		g, err := timeGenerate(cfg.goCmd, root, cfg.generateRuns, stderr)
		if err != nil {
			return err
		}
		gen = &g
	}

	printRaw(stdout, results)
	fmt.Fprintln(stdout)
	printTable(stdout, buildTable(results, gen))
	if testErr != nil {
		return fmt.Errorf("go test failed (%v); the figures above are partial", testErr)
	}
	if len(results) == 0 {
		return errors.New("go test printed no benchmark results")
	}
	return nil
}

func moduleRoot(goCmd string) (string, error) {
	out, err := exec.Command(goCmd, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module; run from the repository")
	}
	return filepath.Dir(gomod), nil
}

// result holds every sample of one benchmark, by unit ("ns/op", "B/op",
// "allocs/op", "req/s", …).
type result struct {
	name    string
	samples map[string][]float64
}

func (r *result) median(unit string) (float64, bool) {
	return median(r.samples[unit])
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads `go test -bench` output. A result line is the name, the
// iteration count, then value-unit pairs.
func parse(r io.Reader) map[string]*result {
	results := map[string]*result{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		res := results[name]
		if res == nil {
			res = &result{name: name, samples: map[string][]float64{}}
			results[name] = res
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			res.samples[f[i+1]] = append(res.samples[f[i+1]], v)
		}
	}
	return results
}

func median(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

type generateTimes struct {
	runs []time.Duration
}

func (g generateTimes) best() time.Duration { return slices.Min(g.runs) }

func (g generateTimes) median() time.Duration {
	xs := make([]float64, len(g.runs))
	for i, d := range g.runs {
		xs[i] = float64(d)
	}
	m, _ := median(xs)
	return time.Duration(m)
}

// timeGenerate runs `go generate ./...` once to warm the caches, then n
// times timed. It runs on its own, never while packages compile.
func timeGenerate(goCmd, root string, n int, stderr io.Writer) (generateTimes, error) {
	var g generateTimes
	for i := 0; i <= n; i++ {
		cmd := exec.Command(goCmd, "generate", "./...")
		cmd.Dir = root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			return g, fmt.Errorf("go generate ./...: %v\n%s", err, out.Bytes())
		}
		if i == 0 {
			fmt.Fprintf(stderr, "benchtable: go generate ./... warm-up %s\n", fmtSeconds(d))
			continue
		}
		fmt.Fprintf(stderr, "benchtable: go generate ./... run %d: %s\n", i, fmtSeconds(d))
		g.runs = append(g.runs, d)
	}
	return g, nil
}

func printRaw(w io.Writer, results map[string]*result) {
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "Raw figures (median of the runs; every ns/op sample in brackets):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "benchmark\truns\ttime/op\tB/op\tallocs/op\tother\tns/op samples\t")
	for _, n := range names {
		r := results[n]
		ns, _ := r.median("ns/op")
		b, _ := r.median("B/op")
		a, _ := r.median("allocs/op")
		var other []string
		for unit := range r.samples {
			switch unit {
			case "ns/op", "B/op", "allocs/op", "MB/s":
			default:
				v, _ := r.median(unit)
				other = append(other, fmtValue(v, unit))
			}
		}
		if v, ok := r.median("MB/s"); ok {
			other = append(other, fmtValue(v, "MB/s"))
		}
		sort.Strings(other)
		samples := make([]string, len(r.samples["ns/op"]))
		for i, v := range r.samples["ns/op"] {
			samples[i] = strconv.FormatFloat(v, 'f', -1, 64)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.0f\t%.0f\t%s\t[%s]\t\n", strings.TrimPrefix(n, "Benchmark"), len(r.samples["ns/op"]),
			fmtNanos(ns), b, a, strings.Join(other, " "), strings.Join(samples, " "))
	}
	tw.Flush()
}
