package wheels_test

import (
	"errors"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestRunPutBeforeRun checks a Put made outside any handler, before the
// kernel runs and so before the child can read: no round ends to flush
// it, so the wheel waits for stdin to be writable, and the child gets it.
func TestRunPutBeforeRun(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var got []string
	status := -1
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{Program: []string{"cat"},
				StdoutEvent: "out", StdinEvent: "stdin", CloseEvent: "closed"})
			return nil
		},
		"stdin": func(e *kernel.Event) any { got = append(got, "flushed"); w.ShutdownStdin(); return nil },
		"out":   func(e *kernel.Event) any { got = append(got, "out "+e.ArgString(0)); return nil },
		"closed": func(e *kernel.Event) any {
			got = append(got, "closed")
			w.Close()
			return nil
		},
		"chld": func(e *kernel.Event) any { status = e.ArgInt(2); return nil },
	}})
	if !w.Put("early", "bird") {
		t.Fatal("Put outside a handler returned false")
	}
	runKernel(t, k)
	if want := []string{"flushed", "out early", "out bird", "closed"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if status != 0 {
		t.Errorf("exit status %d, want 0", status)
	}
}

// TestRunPutRecordRefused checks a record the stdin filter cannot encode:
// ErrorEvent ("put", EINVAL, the filter's text, ID, "STDIN") is posted,
// not called, and the records around it are written.
func TestRunPutRecordRefused(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var got []string
	inPut := false
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{Program: []string{"cat"},
				StdoutEvent: "out", ErrorEvent: "err", CloseEvent: "closed"})
			inPut = true
			w.Put("a", 42, "b")
			inPut = false
			return nil
		},
		"err": func(e *kernel.Event) any {
			if e.ArgString(0) == "read" && e.ArgInt(1) == 0 {
				return nil // the end of stdout or stderr
			}
			if inPut {
				t.Error("ErrorEvent was called inside Put")
			}
			want := []any{"put", int(syscall.EINVAL), e.Arg(2), w.ID(), "STDIN"}
			if !reflect.DeepEqual(e.Args, want) || e.ArgString(2) == "" {
				t.Errorf("ErrorEvent %#v", e.Args)
			}
			if !errors.Is(w.LastError(), filter.ErrRecordType) {
				t.Errorf("LastError %v, want ErrRecordType", w.LastError())
			}
			got = append(got, "error")
			return nil
		},
		"out": func(e *kernel.Event) any {
			got = append(got, "out "+e.ArgString(0))
			if e.ArgString(0) == "b" {
				w.ShutdownStdin()
			}
			return nil
		},
		"closed": func(e *kernel.Event) any { w.Close(); return nil },
		"chld":   func(e *kernel.Event) any { return nil },
	})
	if want := []string{"error", "out a", "out b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestRunPutAfterExit holds a Put to a child that has exited, in the
// sequence Perl POE 1.370 gives: Put accepts the record, and writing it
// fails with ErrorEvent ("write", EPIPE, text, ID, "STDIN"), after which
// Put refuses records.
func TestRunPutAfterExit(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var got []string
	reaped := false
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{Program: []string{"true"},
				StdinEvent: "stdin", ErrorEvent: "err"})
			return nil
		},
		"chld": func(e *kernel.Event) any {
			reaped = true
			got = append(got, "chld")
			if !w.Put("late") {
				t.Error("Put to an exited child returned false")
			}
			return nil
		},
		"stdin": func(e *kernel.Event) any { t.Error("StdinEvent for a dead child"); return nil },
		"err": func(e *kernel.Event) any {
			if e.ArgString(0) == "read" && e.ArgInt(1) == 0 {
				return nil // the end of stdout or stderr
			}
			if !reaped {
				t.Errorf("ErrorEvent %v before the child exited", e.Args)
			}
			want := []any{"write", int(syscall.EPIPE), syscall.EPIPE.Error(), w.ID(), "STDIN"}
			if !reflect.DeepEqual(e.Args, want) {
				t.Errorf("ErrorEvent %#v, want %#v", e.Args, want)
			}
			got = append(got, "write failed")
			if w.Put("again") {
				t.Error("Put after the write failure returned true")
			}
			w.Close()
			return nil
		},
	})
	if want := []string{"chld", "write failed"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestRunPutRefused checks that Put refuses records once stdin is shut
// down, even before what was queued is written, or the wheel closed (POE
// croaks there), and that the child, cat, sees the end of its input
// either way and exits.
func TestRunPutRefused(t *testing.T) {
	cases := []struct {
		name string
		stop func(w *wheel.Run)
	}{
		{"after ShutdownStdin, while what was put before is still queued", func(w *wheel.Run) {
			w.Put(strings.Repeat("x", 1<<20)) // more than the pipes hold
			w.ShutdownStdin()
		}},
		{"after Close", func(w *wheel.Run) { w.Close() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			var w *wheel.Run
			status := -1
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					w = newRun(t, e, wheel.RunOptions{Program: []string{"cat"}, CloseEvent: "closed"})
					c.stop(w)
					if w.Put("x") {
						t.Error("Put returned true")
					}
					return nil
				},
				"closed": func(e *kernel.Event) any { w.Close(); return nil },
				"chld":   func(e *kernel.Event) any { status = e.ArgInt(2); w.Close(); return nil },
			})
			if status != 0 {
				t.Errorf("exit status %#x, want 0", status)
			}
		})
	}
}

// TestRunCloseChildRunning holds Close while the child still runs and
// its output is unread, in the outcomes Perl POE 1.370 gives: the wheel
// does not kill the child, but closing the pipes does what it does to
// any process (a writer dies of SIGPIPE, a reader sees the end of its
// input), no CloseEvent or ErrorEvent follows, and SigChild still
// reports the exit.
func TestRunCloseChildRunning(t *testing.T) {
	cases := []struct {
		name    string
		o       wheel.RunOptions
		killNow bool
		exited  func(ws syscall.WaitStatus) bool
	}{
		{"a child still writing dies of SIGPIPE",
			wheel.RunOptions{Program: []string{"yes"}}, false,
			func(ws syscall.WaitStatus) bool { return ws.Signaled() && ws.Signal() == syscall.SIGPIPE }},
		{"a child reading its stdin sees the end and exits",
			wheel.RunOptions{Command: `printf 'a\nb\nc\n'; read x || exit 7`}, false,
			func(ws syscall.WaitStatus) bool { return ws.Exited() && ws.ExitStatus() == 7 }},
		{"a child killed and closed at once is still reaped",
			wheel.RunOptions{Program: []string{"sleep", "10"}}, true,
			func(ws syscall.WaitStatus) bool { return ws.Signaled() && ws.Signal() == syscall.SIGKILL }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			var w *wheel.Run
			var first string
			closed := false
			status := -1
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					o := c.o
					o.StdoutEvent, o.StderrEvent, o.ErrorEvent, o.CloseEvent = "out", "out", "err", "closed"
					w = newRun(t, e, o)
					if c.killNow {
						if err := w.Kill(syscall.SIGKILL); err != nil {
							t.Error(err)
						}
						w.Close()
						closed = true
					}
					return nil
				},
				"out": func(e *kernel.Event) any {
					if closed {
						return nil // the rest of a block read before the Close
					}
					first = e.ArgString(0)
					w.Close()
					closed = true
					return nil
				},
				"err":    func(e *kernel.Event) any { t.Errorf("ErrorEvent %v", e.Args); return nil },
				"closed": func(e *kernel.Event) any { t.Error("CloseEvent after Close"); return nil },
				"chld":   func(e *kernel.Event) any { status = e.ArgInt(2); return nil },
			})
			if !c.killNow && first == "" {
				t.Error("no output before Close")
			}
			if !c.exited(syscall.WaitStatus(status)) {
				t.Errorf("exit status %#x", status)
			}
		})
	}
}
