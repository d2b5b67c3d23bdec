package wheels_test

import (
	"reflect"
	"syscall"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestRunCat mirrors POE's t/30_loops wheel_run: lines put to cat's stdin
// come back on its stdout, StdinEvent reports the flush, shutting stdin
// down ends cat, CloseEvent follows, and SigChild reaps it with status 0.
func TestRunCat(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var got []string
	var flushed, closed int
	status := -1
	want := []string{"one", "two", "three"}
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{Program: []string{"cat"},
				StdoutEvent: "out", StdinEvent: "stdin", CloseEvent: "closed", ErrorEvent: "err"})
			for _, l := range want {
				w.Put(l)
			}
			return nil
		},
		"stdin": func(e *kernel.Event) any { flushed++; return nil },
		"out": func(e *kernel.Event) any {
			got = append(got, e.ArgString(0))
			if e.Arg(1) != w.ID() {
				t.Errorf("StdoutEvent ARG1 %v, want the wheel ID", e.Arg(1))
			}
			if len(got) == len(want) {
				w.ShutdownStdin()
			}
			return nil
		},
		"err": func(e *kernel.Event) any {
			if e.ArgInt(1) != 0 {
				t.Errorf("ErrorEvent %v", e.Args)
			}
			return nil
		},
		"closed": func(e *kernel.Event) any { closed++; w.Close(); return nil },
		"chld":   func(e *kernel.Event) any { status = e.ArgInt(2); return nil },
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if flushed != 1 || closed != 1 || status != 0 {
		t.Errorf("StdinEvent %d, CloseEvent %d, exit status %d; want 1, 1, 0", flushed, closed, status)
	}
}

// TestRunShellCommand runs a shell command string: stdout and stderr go
// to their own events through their own filters, the ends of both are
// reported as ErrorEvent ("read", 0, "", id, handle), and the exit status
// arrives through SigChild as Perl's $?.
func TestRunShellCommand(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var out, errs, ends []string
	status := -1
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{Command: "echo out; echo err 1>&2; exit 3",
				StdoutEvent: "out", StderrEvent: "errout", CloseEvent: "closed", ErrorEvent: "err"})
			return nil
		},
		"out":    func(e *kernel.Event) any { out = append(out, e.ArgString(0)); return nil },
		"errout": func(e *kernel.Event) any { errs = append(errs, e.ArgString(0)); return nil },
		"err": func(e *kernel.Event) any {
			if e.ArgString(0) != "read" || e.ArgInt(1) != 0 || e.ArgString(2) != "" || e.Arg(3) != w.ID() {
				t.Errorf("ErrorEvent %v", e.Args)
			}
			ends = append(ends, e.ArgString(4))
			return nil
		},
		"closed": func(e *kernel.Event) any { w.Close(); return nil },
		"chld":   func(e *kernel.Event) any { status = e.ArgInt(2); return nil },
	})
	if !reflect.DeepEqual(out, []string{"out"}) || !reflect.DeepEqual(errs, []string{"err"}) {
		t.Errorf("stdout %q, stderr %q", out, errs)
	}
	if len(ends) != 2 {
		t.Errorf("ends reported for %q, want STDOUT and STDERR", ends)
	}
	if status != 3<<8 {
		t.Errorf("status %d, want %d", status, 3<<8)
	}
}

// TestRunKill checks Kill: the child dies of the signal, which SigChild
// reports in the status's low bits.
func TestRunKill(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	status := -1
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{Program: []string{"sleep", "10"}})
			if err := w.Kill(0); err != nil {
				t.Error(err)
			}
			return nil
		},
		"chld": func(e *kernel.Event) any { status = e.ArgInt(2); w.Close(); return nil },
	})
	if ws := syscall.WaitStatus(status); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("status %#x, want killed by SIGTERM", status)
	}
}

// TestRunMissingProgram checks that a program that cannot be found is an
// error from the constructor, and leaks nothing.
func TestRunMissingProgram(t *testing.T) {
	checkFds(t)
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			if _, err := wheel.NewRun(e, wheel.RunOptions{Program: []string{"/nonexistent/program"}}); err == nil {
				t.Error("no error")
			}
			return nil
		},
	})
}
