package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	register("bench", "measure local dispatch, line echo over TCP and IKC between kernels (Go only)", cmdBench)
}

// A benchCase is one measurement: a name, how many operations a scale of 1
// runs, and the body, which does n operations and reports progress through
// tick (0 to 1). The cases are grouped by the workload numbers of the
// project's benchmark plan; the side-by-side comparison with Perl lives
// under bench/, and its harness can run `ikc bench --json` as one more
// contestant.
type benchCase struct {
	workload int
	name     string
	n        int
	unit     string
	run      func(n int, tick func(float64)) (benchResult, error)
}

// benchResult is what a case measured. Ops/Elapsed is its rate; the
// latency percentiles are set for sequential request-response cases.
type benchResult struct {
	Workload int           `json:"workload"`
	Name     string        `json:"name"`
	Ops      int           `json:"ops"`
	Unit     string        `json:"unit"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	Rate     float64       `json:"per_second"`
	P50      time.Duration `json:"p50_ns,omitempty"`
	P99      time.Duration `json:"p99_ns,omitempty"`
	// The octets each way of a round trip, for cases that send fixed
	// frames (raw-tcp-call-bytes): what bench/c/pingpong is given.
	RequestOctets  int `json:"request_octets,omitempty"`
	ResponseOctets int `json:"response_octets,omitempty"`
}

var benchCases = []benchCase{
	{1, "yield", 300_000, "events", benchYield},
	{1, "post-ping-pong", 300_000, "events", benchPingPong},
	{1, "call", 300_000, "calls", benchCall},
	{3, "echo-line-sequential", 10_000, "round trips", benchEchoSequential},
	{3, "echo-line-pipelined", 100_000, "round trips", benchEchoPipelined},
	{4, "ikc-post-one-way", 50_000, "posts", benchIKCPosts},
	{4, "ikc-call-sequential", 5_000, "calls", benchIKCCalls},
	{4, "raw-tcp-call-bytes", 5_000, "round trips", benchRawCallBytes},
}

func cmdBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "", stderr)
	workloads := fs.String("workloads", "1,3,4", "comma-separated workloads to run: 1 local dispatch, 3 line echo over TCP, 4 IKC")
	only := fs.String("run", "", "run only the cases whose name contains this")
	scale := fs.Float64("scale", 1, "multiply every case's operation count (0.1 for a smoke test, 10 for steadier figures)")
	asJSON := fs.Bool("json", false, "print one JSON object per case instead of the table")
	progress := fs.String("progress", "auto", "progress display: auto (when stdout is a terminal), on, off")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the cases run to `file` (go tool pprof reads it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("bench takes no arguments")
	}
	if *scale <= 0 || math.IsInf(*scale, 0) || math.IsNaN(*scale) {
		return usageError("--scale must be positive")
	}
	want := map[int]bool{}
	for _, w := range strings.Split(*workloads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || (n != 1 && n != 3 && n != 4) {
			return usageError("--workloads: %q is not one of 1, 3, 4", w)
		}
		want[n] = true
	}
	var show bool
	switch *progress {
	case "auto":
		show = !*asJSON && isTerminal(stdout)
	case "on":
		show = true
	case "off":
	default:
		return usageError("--progress must be auto, on or off")
	}
	var cases []benchCase
	for _, c := range benchCases {
		if want[c.workload] && strings.Contains(c.name, *only) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return usageError("no case matches --workloads %s --run %q", *workloads, *only)
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "%-3s %-22s %12s %-12s %10s %14s %10s %10s\n",
			"wl", "case", "ops", "unit", "time", "per second", "p50", "p99")
	}
	for _, c := range cases {
		n := max(1, int(float64(c.n)**scale))
		tick := func(float64) {}
		if show {
			last := time.Time{}
			tick = func(f float64) {
				if now := time.Now(); now.Sub(last) > 50*time.Millisecond || f >= 1 {
					last = now
					fmt.Fprintf(stdout, "\r%-3d %-22s %3.0f%%", c.workload, c.name, 100*f)
				}
			}
			tick(0)
		}
		res, err := c.run(n, tick)
		if show {
			fmt.Fprint(stdout, "\r\033[K")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		res.Workload, res.Name, res.Unit, res.Ops = c.workload, c.name, c.unit, n
		if s := res.Elapsed.Seconds(); s > 0 {
			res.Rate = float64(n) / s
		}
		printBench(stdout, res, *asJSON)
	}
	return nil
}

func printBench(w io.Writer, r benchResult, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(r)
		fmt.Fprintln(w, string(b))
		return
	}
	lat := func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return d.Round(100 * time.Nanosecond).String()
	}
	fmt.Fprintf(w, "%-3d %-22s %12d %-12s %10s %14.0f %10s %10s\n", r.Workload, r.Name, r.Ops, r.Unit,
		r.Elapsed.Round(time.Millisecond), r.Rate, lat(r.P50), lat(r.P99))
}

// isTerminal reports whether w is a terminal, for the progress display.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}

// percentiles returns the 50th and 99th percentiles of ds, which it sorts.
func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(q float64) time.Duration {
		i := int(math.Ceil(q*float64(len(ds)))) - 1
		return ds[max(0, min(i, len(ds)-1))]
	}
	return at(0.50), at(0.99)
}

// every returns a function that calls tick with the fraction done every
// n/100 operations, so progress costs nothing measurable.
func every(n int, tick func(float64)) func(done int) {
	step := max(1, n/100)
	return func(done int) {
		if done%step == 0 || done == n {
			tick(float64(done) / float64(n))
		}
	}
}

// startCPUProfile starts writing a CPU profile to path; the function it
// returns stops the profile and closes the file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
