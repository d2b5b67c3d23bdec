package wheels_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
	"github.com/poe-go/poe/t/poe/poetest"
)

// TestRunPauseOutput holds PauseStdout, PauseStderr and their resumes,
// in the sequence Perl POE 1.370 gives: pausing stdout inside its
// StdoutEvent still delivers the records already read in the same block;
// after that nothing is read from a paused stream, not even its end, so
// CloseEvent waits; once resumed, the output the child wrote meanwhile
// arrives, then the ends and CloseEvent. The child's exit is the point
// where everything it wrote is in the pipes.
func TestRunPauseOutput(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{
				Command:     `printf 'a\nb\nc\n'; read x; echo "got $x"; echo e >&2; read y; echo "then $y"`,
				StdoutEvent: "out", StderrEvent: "errout", ErrorEvent: "err", CloseEvent: "closed"})
			return nil
		},
		"out": func(e *kernel.Event) any {
			got = append(got, "out "+e.ArgString(0))
			if e.ArgString(0) == "a" {
				w.PauseStdout()
				w.Put("go")
			}
			return nil
		},
		"errout": func(e *kernel.Event) any {
			got = append(got, "stderr "+e.ArgString(0))
			w.PauseStderr()
			w.Put("more")
			return nil
		},
		"chld": func(e *kernel.Event) any {
			got = append(got, "exit")
			w.ResumeStdout()
			w.ResumeStderr()
			return nil
		},
		"err": func(e *kernel.Event) any {
			if e.ArgString(0) != "read" || e.ArgInt(1) != 0 {
				t.Errorf("ErrorEvent %v", e.Args)
			}
			got = append(got, "end "+e.ArgString(4))
			return nil
		},
		"closed": func(e *kernel.Event) any { got = append(got, "closed"); w.Close(); return nil },
	})
	before := []string{"out a", "out b", "out c", "stderr e", "exit"}
	if len(got) < len(before) || !reflect.DeepEqual(got[:len(before)], before) {
		t.Fatalf("events %q, want them to start with %q", got, before)
	}
	var out []string
	ends := 0
	for _, ev := range got[len(before):] {
		switch {
		case strings.HasPrefix(ev, "out "):
			out = append(out, ev)
		case strings.HasPrefix(ev, "end "):
			ends++
		}
	}
	if want := []string{"out got go", "out then more"}; !reflect.DeepEqual(out, want) || ends != 2 || got[len(got)-1] != "closed" {
		t.Errorf("after the resume: %q; want stdout %q, both ends, then CloseEvent", got[len(before):], want)
	}
}

// TestRunEvent holds Run's event method: StdoutEvent renamed inside its
// handler takes the rest of the block (the sequence Perl POE 1.370
// gives), and StdinEvent, StderrEvent, ErrorEvent and CloseEvent renamed
// take what follows. Unknown names and an odd argument count are errors.
func TestRunEvent(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var got []string
	old := func(e *kernel.Event) any {
		t.Errorf("an old event name got %v", e.Args)
		return nil
	}
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{
				Command:     `printf 'a\nb\n'; read x; echo "$x" >&2`,
				StdoutEvent: "out", StderrEvent: "errout", StdinEvent: "stdin", ErrorEvent: "err", CloseEvent: "closed"})
			checkEventRefused(t, w, []string{"StdoutEvent"}, []string{"InputEvent", "x"})
			return nil
		},
		"out": func(e *kernel.Event) any {
			got = append(got, "out "+e.ArgString(0))
			err := w.Event("StdoutEvent", "out2", "StderrEvent", "errout2", "StdinEvent", "stdin2",
				"ErrorEvent", "err2", "CloseEvent", "closed2")
			if err != nil {
				t.Error(err)
			}
			w.Put("x")
			return nil
		},
		"out2":    func(e *kernel.Event) any { got = append(got, "out2 "+e.ArgString(0)); return nil },
		"errout2": func(e *kernel.Event) any { got = append(got, "errout2 "+e.ArgString(0)); return nil },
		"stdin2":  func(e *kernel.Event) any { got = append(got, "stdin2"); return nil },
		"err2":    func(e *kernel.Event) any { got = append(got, "err2 "+e.ArgString(4)); return nil },
		"closed2": func(e *kernel.Event) any { got = append(got, "closed2"); w.Close(); return nil },
		"errout":  old, "stdin": old, "err": old,
		"closed": func(e *kernel.Event) any { old(e); w.Close(); return nil },
		"chld":   func(e *kernel.Event) any { return nil },
	})
	for _, want := range []string{"out a", "out2 b", "stdin2", "errout2 x", "err2 STDOUT", "err2 STDERR", "closed2"} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("events %q lack %q", got, want)
		}
	}
	if len(got) != 7 || got[0] != "out a" || got[1] != "out2 b" || got[6] != "closed2" {
		t.Errorf("events %q, want out a, out2 b first and closed2 last", got)
	}
}

// TestRunFilters holds the filter parameters: StdinFilter frames what Put
// writes, StdioFilter frames stdin and stdout,
// StdoutFilter overrides it for stdout, and stderr keeps a line filter
// whatever StdioFilter is, as in POE.
func TestRunFilters(t *testing.T) {
	bar := func() filter.Filter { return filter.NewLine(filter.LineOptions{Literal: "|"}) }
	cases := []struct {
		name     string
		o        wheel.RunOptions
		put      []any
		out, err []string
	}{
		{"StdinFilter frames stdin alone",
			wheel.RunOptions{Program: []string{"cat"}, StdinFilter: filter.NewStream()},
			[]any{"ab", "c\n", "d\n"}, []string{"abc", "d"}, nil},
		{"StdioFilter frames stdin and stdout",
			wheel.RunOptions{Program: []string{"cat"}, StdioFilter: bar()},
			[]any{"x", "y"}, []string{"x", "y"}, nil},
		{"StdoutFilter overrides StdioFilter for stdout",
			wheel.RunOptions{Command: "cat; echo", StdioFilter: bar(), StdoutFilter: filter.NewLine()},
			[]any{"x", "y"}, []string{"x|y|"}, nil},
		{"stderr does not take StdioFilter",
			wheel.RunOptions{Command: "cat >&2; echo >&2", StdioFilter: bar()},
			[]any{"x", "y"}, nil, []string{"x|y|"}},
		{"StderrFilter frames stderr",
			wheel.RunOptions{Command: "cat >&2", StdinFilter: bar(), StderrFilter: bar()},
			[]any{"x", "y"}, nil, []string{"x", "y"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			var w *wheel.Run
			var out, errs []string
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					o := c.o
					o.StdoutEvent, o.StderrEvent, o.StdinEvent, o.CloseEvent = "out", "errout", "stdin", "closed"
					w = newRun(t, e, o)
					w.Put(c.put...)
					return nil
				},
				"stdin":  func(e *kernel.Event) any { w.ShutdownStdin(); return nil },
				"out":    func(e *kernel.Event) any { out = append(out, e.ArgString(0)); return nil },
				"errout": func(e *kernel.Event) any { errs = append(errs, e.ArgString(0)); return nil },
				"closed": func(e *kernel.Event) any { w.Close(); return nil },
				"chld":   func(e *kernel.Event) any { return nil },
			})
			if !reflect.DeepEqual(out, c.out) || !reflect.DeepEqual(errs, c.err) {
				t.Errorf("stdout %q and stderr %q, want %q and %q", out, errs, c.out, c.err)
			}
		})
	}
}

// TestRunLargeStdin puts more to the child's stdin than a pipe holds: it
// is all written as the child reads, StdinEvent fires once when the queue
// is empty, and ShutdownStdin, after StdinEvent as in POE or right after
// Put (which in this port writes the queue first), ends the child's input.
func TestRunLargeStdin(t *testing.T) {
	const chunk, chunks = 64 << 10, 16
	cases := []struct {
		name          string
		shutdownAtPut bool
	}{
		{"ShutdownStdin after StdinEvent", false},
		{"ShutdownStdin right after Put writes the queue first", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			var w *wheel.Run
			var out []string
			flushed := 0
			status := -1
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					w = newRun(t, e, wheel.RunOptions{Program: []string{"wc", "-c"}, StdinFilter: filter.NewStream(),
						StdoutEvent: "out", StdinEvent: "stdin", CloseEvent: "closed", ErrorEvent: "err"})
					block := strings.Repeat("x", chunk)
					for i := 0; i < chunks; i++ {
						w.Put(block)
					}
					if c.shutdownAtPut {
						w.ShutdownStdin()
						if w.Put("more") {
							t.Error("Put after ShutdownStdin returned true")
						}
					}
					return nil
				},
				"stdin": func(e *kernel.Event) any {
					flushed++
					if !c.shutdownAtPut {
						w.ShutdownStdin()
					}
					return nil
				},
				"out": func(e *kernel.Event) any { out = append(out, strings.TrimSpace(e.ArgString(0))); return nil },
				"err": func(e *kernel.Event) any {
					if e.ArgString(0) != "read" || e.ArgInt(1) != 0 {
						t.Errorf("ErrorEvent %v", e.Args)
					}
					return nil
				},
				"closed": func(e *kernel.Event) any { w.Close(); return nil },
				"chld":   func(e *kernel.Event) any { status = e.ArgInt(2); return nil },
			})
			if want := []string{strconv.Itoa(chunk * chunks)}; !reflect.DeepEqual(out, want) {
				t.Errorf("wc counted %q, want %q", out, want)
			}
			if flushed != 1 || status != 0 {
				t.Errorf("StdinEvent %d times, exit status %d; want 1 and 0", flushed, status)
			}
		})
	}
}

// TestRunStdinBrokenPipe holds the failure to write to a child that
// closed its stdin: ErrorEvent ("write", EPIPE, text, ID, "STDIN"), as
// Perl POE 1.370 gives, after which Put refuses more.
func TestRunStdinBrokenPipe(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var got []any
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{Command: "exec 0<&-; echo ready; exec sleep 10",
				StdoutEvent: "out", StdinEvent: "stdin", ErrorEvent: "err"})
			return nil
		},
		"out":   func(e *kernel.Event) any { w.Put("x"); return nil },
		"stdin": func(e *kernel.Event) any { t.Error("StdinEvent for a closed pipe"); return nil },
		"err": func(e *kernel.Event) any {
			if e.ArgString(0) == "write" {
				got = append([]any(nil), e.Args...)
				if w.Put("y") {
					t.Error("Put after the write failure returned true")
				}
				w.Kill(0)
			}
			return nil
		},
		"chld": func(e *kernel.Event) any { w.Close(); return nil },
	})
	want := []any{"write", int(syscall.EPIPE), syscall.EPIPE.Error(), w.ID(), "STDIN"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ErrorEvent %#v, want %#v", got, want)
	}
}

// TestRunPipesExhausted checks that a child's pipes that cannot all be
// made are an error from the constructor, and that the pipes made before
// the failing one are closed.
func TestRunPipesExhausted(t *testing.T) {
	cases := []struct {
		name string
		free int
	}{
		{"the first pipe fails", 1},
		{"the second pipe fails", 3},
		{"the third pipe fails", 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					before := openFds()
					restore := poetest.LowerFdLimit(t, c.free)
					_, err := wheel.NewRun(e, wheel.RunOptions{Program: []string{"true"}})
					restore()
					after := openFds()
					if !errors.Is(err, syscall.EMFILE) {
						t.Errorf("NewRun error %v, want EMFILE", err)
					}
					if after != before {
						t.Errorf("%d descriptors open before NewRun, %d after", before, after)
					}
					return nil
				},
			})
		})
	}
}
