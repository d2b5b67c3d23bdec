// Package differential_test runs random small POE programs both in Perl
// POE 1.370 and in this kernel and compares what their handlers saw,
// event by event. Perl is the reference: a difference in event order,
// in the arguments of _start, _stop, _child and _parent, in call return
// values, alias resolution, session lifetime or signal delivery is a
// kernel bug (or a known one, excluded from generation where noted).
package differential_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/t/poe/poetest"
)

// defaultSeed is the generator's seed unless -diff.seed gives another.
const defaultSeed = 20240601

var (
	flagN      = flag.Int("diff.n", 1000, "number of random programs to compare")
	flagSeed   = flag.Uint64("diff.seed", defaultSeed, "seed of the program generator")
	flagProg   = flag.Int("diff.prog", -1, "compare only the program with this index")
	flagShrink = flag.Bool("diff.shrink", false, "reduce a differing program before reporting it")
)

// perl is one perl process running testdata/run.pl, fed programs one a
// line.
type perl struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr strings.Builder
	blocks chan perlBlock
}

type perlBlock struct {
	trace []string
	err   error
}

func startPerl(t *testing.T) *perl {
	t.Helper()
	if out, err := exec.Command("perl", "-MPOE", "-MJSON::PP", "-e1").CombinedOutput(); err != nil {
		t.Skipf("Perl POE is not available (perl -MPOE -MJSON::PP -e1: %v %s): the differential test needs it", err, out)
	}
	p := &perl{cmd: exec.Command("perl", "testdata/run.pl"), blocks: make(chan perlBlock, 1024)}
	p.cmd.Stderr = &p.stderr
	var err error
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.out = bufio.NewReader(stdout)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.read()
	t.Cleanup(func() {
		p.in.Close()
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	})
	return p
}

// read turns perl's output into one block a program.
func (p *perl) read() {
	defer close(p.blocks)
	var trace []string
	for {
		line, err := p.out.ReadString('\n')
		if err != nil {
			p.blocks <- perlBlock{trace, fmt.Errorf("perl ended: %v", err)}
			return
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "END" {
			p.blocks <- perlBlock{trace: trace}
			trace = nil
			continue
		}
		trace = append(trace, line)
	}
}

func (p *perl) send(prog []byte) error {
	_, err := p.in.Write(append(prog, '\n'))
	return err
}

// next returns the trace of the next program sent.
func (p *perl) next() ([]string, error) {
	select {
	case b, ok := <-p.blocks:
		if !ok {
			return nil, fmt.Errorf("perl ended; stderr:\n%s", p.stderr.String())
		}
		if b.err != nil {
			return b.trace, fmt.Errorf("%v; stderr:\n%s", b.err, p.stderr.String())
		}
		return b.trace, nil
	case <-time.After(poetest.Limit):
		p.cmd.Process.Kill()
		return nil, fmt.Errorf("perl gave no trace within %v", poetest.Limit)
	}
}

// run runs one program on both sides.
func (p *perl) run(prog *program) (want, got []string, err error) {
	js, err := json.Marshal(prog)
	if err != nil {
		return nil, nil, err
	}
	if err := p.send(js); err != nil {
		return nil, nil, err
	}
	got, goErr := runGo(prog)
	want, err = p.next()
	if err != nil {
		return want, got, err
	}
	return want, got, goErr
}

// TestDifferential generates random programs, runs each in Perl POE and
// in this kernel, and fails on the first lines where their traces part.
// Rerun a failure with -diff.seed and -diff.prog; -diff.shrink reduces
// it; -diff.n runs more programs.
func TestDifferential(t *testing.T) {
	p := startPerl(t)
	first, last := 0, *flagN
	if *flagProg >= 0 {
		first, last = *flagProg, *flagProg+1
	}
	progs := make([]*program, 0, last-first)
	for i := first; i < last; i++ {
		progs = append(progs, generate(*flagSeed, uint64(i)))
	}
	// Perl runs the programs while Go does: all of them go out at once,
	// unless shrinking needs perl to answer one program at a time.
	if !*flagShrink {
		go func() {
			for _, prog := range progs {
				if p.send([]byte(mustJSON(prog))) != nil {
					return
				}
			}
		}()
	}
	start := time.Now()
	failures, lines := 0, 0
	seen := make([]int, len(shapes))
	for i, prog := range progs {
		var want, got []string
		var err, goErr error
		if *flagShrink {
			want, got, err = p.run(prog)
			if errors.Is(err, errTimeout) {
				err, goErr = nil, err
			}
		} else {
			got, goErr = runGo(prog)
			want, err = p.next()
		}
		if err != nil {
			t.Fatalf("program %d (seed %d): %v\nprogram: %s", first+i, *flagSeed, err, mustJSON(prog))
		}
		lines += len(want)
		for j, sh := range shapes {
			if slices.ContainsFunc(want, sh.re.MatchString) {
				seen[j]++
			}
		}
		if goErr != nil && !errors.Is(goErr, errTimeout) {
			goErr = nil // a kernel error ends the run; the traces tell the rest
		}
		if d := diff(want, got); d != "" || goErr != nil {
			failures++
			if goErr != nil {
				d += "\ngo: " + goErr.Error()
			}
			t.Errorf("program %d (seed %d, -diff.seed=%d -diff.prog=%d) differs from Perl POE:\nprogram: %s\n%s",
				first+i, *flagSeed, *flagSeed, first+i, mustJSON(prog), d)
			if *flagShrink {
				small := shrink(t, p, prog)
				want, got, _ := p.run(small)
				t.Errorf("reduced program: %s\n%s", mustJSON(small), diff(want, got))
			}
			if failures >= 3 {
				t.Fatalf("stopping after %d differing programs", failures)
			}
		}
	}
	t.Logf("%d programs, %d trace lines, %v", len(progs), lines, time.Since(start).Round(time.Millisecond))
	check := *flagProg < 0 && shapesChecked(*flagSeed, len(progs))
	for j, sh := range shapes {
		t.Logf("%5d programs %s", seen[j], sh.what)
		if check && seen[j] == 0 {
			t.Errorf("no program of %d (seed %d) reached the shape %q: the generator no longer makes it", len(progs), *flagSeed, sh.what)
		}
	}
}

// shapesChecked reports whether a run of the first n programs of seed is
// large enough that every shape must come up in it. The rarest, a child
// handed to its grandparent, comes up in about 6 programs in 1000 (3 to 8
// for seeds 1 to 8). The default seed's first 1000 programs, always the
// same, reach each shape (the rarest 5 times), so plain go test checks
// them; for another seed the check waits for 4000 programs, where the
// rarest is expected some 24 times.
func shapesChecked(seed uint64, n int) bool {
	return n >= 4000 || (seed == defaultSeed && n >= 1000)
}

// shapes are what the generator is meant to reach, counted in Perl's
// traces: a change that makes one rare shows in the log (-v), one that
// loses it fails a large enough run (see shapesChecked).
var shapes = []struct {
	what string
	re   *regexp.Regexp
}{
	{"hand a child to its grandparent", regexp.MustCompile(`^T\S+ _child <- kernel: gain `)},
	{"detach a child", regexp.MustCompile(` detach_child child:\S+ = ok$`)},
	{"move an alarm", regexp.MustCompile(` (alarm|delay)_adjust #\d+ -?\d+ = ok$`)},
	{"move an alarm with alarm_adjust by a non-zero delta", regexp.MustCompile(` alarm_adjust #\d+ -?[1-9]\d* = ok$`)},
	{"leave out an alarm_adjust into the future", regexp.MustCompile(` alarm_adjust #\d+ \d+ = future$`)},
	{"remove all alarms of a session", regexp.MustCompile(` alarm_remove_all = \S`)},
	{"clear alarms by name", regexp.MustCompile(` alarm_clear \S+ = ok$`)},
	{"deliver KILL or UIDESTROY", regexp.MustCompile(`^T\S+ \S+ <- kernel: (KILL|UIDESTROY) `)},
	{"signal a parent", regexp.MustCompile(` signal parent:T\S+ \S+ = ok$`)},
}

func mustJSON(p *program) string {
	js, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return string(js)
}

// diff shows where got parts from want: a few common lines, then the
// next lines of each, in the style of a unified diff. "" when equal.
func diff(want, got []string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	if i == len(want) && i == len(got) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- perl (%d lines)\n+++ go (%d lines)\n@@ first difference at line %d @@\n", len(want), len(got), i+1)
	for j := max(0, i-8); j < i; j++ {
		fmt.Fprintf(&b, " %s\n", want[j])
	}
	for j := i; j < min(len(want), i+10); j++ {
		fmt.Fprintf(&b, "-%s\n", want[j])
	}
	for j := i; j < min(len(got), i+10); j++ {
		fmt.Fprintf(&b, "+%s\n", got[j])
	}
	return b.String()
}

// shrink removes roots, states' actions and budget from prog while the
// traces still differ, and returns the smallest program it reached.
func shrink(t *testing.T, p *perl, prog *program) *program {
	differs := func(c *program) bool {
		want, got, err := p.run(c)
		if err != nil && !errors.Is(err, errTimeout) {
			return false
		}
		return err != nil || diff(want, got) != ""
	}
	clone := func(c *program) *program {
		var out program
		if err := json.Unmarshal([]byte(mustJSON(c)), &out); err != nil {
			t.Fatal(err)
		}
		return &out
	}
	cur := prog
	for changed := true; changed; {
		changed = false
		var cands []*program
		for i := range cur.Roots {
			c := clone(cur)
			c.Roots = append(c.Roots[:i], c.Roots[i+1:]...)
			cands = append(cands, c)
			if cur.Roots[i].N > 1 {
				c := clone(cur)
				c.Roots[i].N--
				cands = append(cands, c)
			}
		}
		for tn, td := range cur.Types {
			for sn, sd := range td.States {
				// _start names a session, _stop gives its references back.
				if sn != "_start" && sn != "_stop" && len(sd.Do) == 0 {
					c := clone(cur)
					delete(c.Types[tn].States, sn)
					cands = append(cands, c)
				}
				for i := range sd.Do {
					c := clone(cur)
					s := c.Types[tn].States[sn]
					s.Do = append(s.Do[:i], s.Do[i+1:]...)
					cands = append(cands, c)
				}
			}
		}
		for _, c := range cands {
			if len(c.Roots) > 0 && differs(c) {
				cur, changed = c, true
				break
			}
		}
	}
	return cur
}

// TestFoundPrograms runs the reduced programs in testdata/found, each a
// difference from Perl POE that this test found and the kernel now
// agrees with (named for what it holds), on both sides.
func TestFoundPrograms(t *testing.T) {
	files, err := filepath.Glob("testdata/found/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no programs in testdata/found: %v", err)
	}
	p := startPerl(t)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			js, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var prog program
			if err := json.Unmarshal(js, &prog); err != nil {
				t.Fatal(err)
			}
			want, got, err := p.run(&prog)
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(want, got); d != "" {
				t.Errorf("differs from Perl POE:\n%s", d)
			}
		})
	}
}
