package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/betaalkit/betaalkit/internal/perf
BenchmarkP1/kassacompleet/get/client-2         	    2247	    110 ns/op	   15508 B/op	     205 allocs/op
BenchmarkP1/kassacompleet/get/client-2         	    2247	    130 ns/op	   15508 B/op	     205 allocs/op
BenchmarkP1/kassacompleet/get/client-2         	    2247	    120 ns/op	   15508 B/op	     205 allocs/op
BenchmarkP1/kassacompleet/get/baseline-2       	    3020	    100 ns/op	   15253 B/op	     190 allocs/op
BenchmarkP1/kassacompleet/create/paired-2         	     768	    277771 ns/op	    143675 base-p50-ns	    133896 ours-p50-ns	         0.9319 ours/base
BenchmarkP2/buckaroo/sign-2         	   37988	      9178 ns/op	 199.38 MB/s	    1080 B/op	      21 allocs/op
BenchmarkP4/opp-2                   	    2136	    599805 ns/op	      3334 req/s	   47029 B/op	     764 allocs/op
--- FAIL: BenchmarkSomething
PASS
ok  	github.com/betaalkit/betaalkit/internal/perf	10.505s
`

func TestParseAndTable(t *testing.T) {
	res := parse(strings.NewReader(sample))
	if len(res) != 5 {
		t.Fatalf("parsed %d benchmarks, want 5", len(res))
	}
	c := res["BenchmarkP1/kassacompleet/get/client"]
	if c == nil || len(c.samples["ns/op"]) != 3 {
		t.Fatalf("client samples: %+v", c)
	}
	if m, _ := c.median("ns/op"); m != 120 {
		t.Errorf("median %v, want 120", m)
	}
	if v, _ := res["BenchmarkP4/opp"].median("req/s"); v != 3334 {
		t.Errorf("req/s %v", v)
	}
	if v, _ := res["BenchmarkP2/buckaroo/sign"].median("MB/s"); v != 199.38 {
		t.Errorf("MB/s %v", v)
	}

	rows := buildTable(res, &generateTimes{runs: []time.Duration{3 * time.Second, 900 * time.Millisecond, 950 * time.Millisecond}})
	byFigure := map[string]row{}
	for _, r := range rows {
		byFigure[r.figure] = r
	}
	if r := byFigure["P1 kassacompleet get: time"]; r.ratio != "1.20×" || r.result != "MISSED" {
		t.Errorf("time row %+v", r)
	}
	if r := byFigure["P1 kassacompleet get: allocs"]; r.ratio != "+15" || r.result != "MISSED" {
		t.Errorf("allocs row %+v", r)
	}
	if r := byFigure["P1 kassacompleet create: time [paired]"]; r.ratio != "0.93×" || r.ours != "133.9µs" || r.baseline != "143.7µs" || r.result != "met" {
		t.Errorf("paired row %+v", r)
	}
	if r := byFigure["P1 opp get: time"]; r.result != "no data" {
		t.Errorf("missing row %+v", r)
	}
	if r := byFigure["P4 sandbox opp: create+get throughput"]; r.ours != "3334 req/s" || r.result != "reported" {
		t.Errorf("P4 row %+v", r)
	}
	if r := byFigure["P5 go generate ./..., warm cache: median of 3"]; r.ours != "0.95 s" || r.result != "met" {
		t.Errorf("P5 row %+v", r)
	}
	var out bytes.Buffer
	printRaw(&out, res)
	printTable(&out, rows)
	if !strings.Contains(out.String(), "[110 130 120]") {
		t.Errorf("raw samples missing:\n%s", out.String())
	}
}

func TestMedian(t *testing.T) {
	if m, ok := median([]float64{4, 1, 3, 2}); !ok || m != 2.5 {
		t.Errorf("median %v %v", m, ok)
	}
	if _, ok := median(nil); ok {
		t.Error("median of nothing")
	}
}

// TestEveryFigureHasItsBenchmark runs internal/perf's benchmarks once and
// checks that every row of the table finds its figures, so renaming a
// benchmark cannot quietly empty a line of `make bench`.
func TestEveryFigureHasItsBenchmark(t *testing.T) {
	root, err := moduleRoot("go")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-run=^$", "-bench=.", "-benchtime=1x", "-benchmem", "./internal/perf/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rows := buildTable(parse(bytes.NewReader(out)), &generateTimes{runs: []time.Duration{time.Second}})
	if len(rows) < 20 {
		t.Fatalf("only %d rows", len(rows))
	}
	for _, r := range rows {
		if r.result == "no data" {
			t.Errorf("%q has no data: %+v", r.figure, r)
		}
	}
	for i, sp := range specs() {
		if sp.paired != "" && !strings.HasSuffix(rows[i].figure, "[paired]") {
			t.Errorf("%q fell back from its paired benchmark %s", sp.figure, sp.paired)
		}
	}
}
