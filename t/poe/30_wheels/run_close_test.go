package wheels_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestRunCloseEventOutputs holds which of the child's outputs CloseEvent
// waits for: those with an event, as in POE, so a child that closes its
// stdout and keeps stderr open gets CloseEvent at once when only
// StdoutEvent is given; it comes after the ErrorEvent for the end, or,
// when Event removes StderrEvent after that, from inside Event. The child
// here closes stdout, waits for a line on stdin (put at the end of
// stdout) and then writes to stderr.
//
// Where the sequences differ from Perl POE 1.370 they do so on purpose:
// POE gives the child no pipe for an output without an event (it writes
// to the parent's own), while the wheel reads and discards it, so a
// child flooding it is not blocked, and its end is not reported; with
// neither event POE never gives CloseEvent, the wheel gives it once both
// have ended; and with StderrEvent removed by Event after the end of
// stdout POE still waits for stderr and reports its end, then gives
// CloseEvent.
func TestRunCloseEventOutputs(t *testing.T) {
	const gated = `exec >&-; read x; echo late >&2`
	cases := []struct {
		name    string
		cmd     string
		out     bool // StdoutEvent given
		errout  bool // StderrEvent given
		dropErr bool // StderrEvent removed by Event after the end of stdout
		want    []string
	}{
		{name: "with only StdoutEvent CloseEvent does not wait for stderr",
			cmd: gated, out: true,
			want: []string{"end STDOUT", "put", "closed"}},
		{name: "with both events CloseEvent waits for stderr",
			cmd: gated, out: true, errout: true,
			want: []string{"end STDOUT", "put", "stderr late", "end STDERR", "closed"}},
		{name: "StderrEvent removed after the end of stdout gives CloseEvent in Event",
			cmd: gated, out: true, errout: true, dropErr: true,
			want: []string{"end STDOUT", "closed", "dropped"}},
		{name: "with only StdoutEvent a child flooding stderr is not blocked",
			cmd: `head -c 300000 /dev/zero >&2; echo done`, out: true,
			want: []string{"out done", "end STDOUT", "closed"}},
		{name: "with only StderrEvent stdout is read and not waited for",
			cmd: `head -c 300000 /dev/zero; echo e >&2`, errout: true,
			want: []string{"stderr e", "end STDERR", "closed"}},
		{name: "with neither event CloseEvent waits for both",
			cmd:  `exec >&-; read x`,
			want: []string{"end STDOUT", "put", "end STDERR", "closed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			var w *wheel.Run
			var got []string
			closed, exited := false, false
			done := func() {
				if closed && exited {
					w.Close()
				}
			}
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					o := wheel.RunOptions{Command: c.cmd, CloseEvent: "closed", ErrorEvent: "err"}
					if c.out {
						o.StdoutEvent = "out"
					}
					if c.errout {
						o.StderrEvent = "errout"
					}
					w = newRun(t, e, o)
					return nil
				},
				"out":    func(e *kernel.Event) any { got = append(got, "out "+e.ArgString(0)); return nil },
				"errout": func(e *kernel.Event) any { got = append(got, "stderr "+e.ArgString(0)); return nil },
				"err": func(e *kernel.Event) any {
					if e.ArgString(0) != "read" || e.ArgInt(1) != 0 {
						t.Errorf("ErrorEvent %v", e.Args)
					}
					got = append(got, "end "+e.ArgString(4))
					if e.ArgString(4) == "STDOUT" {
						if c.dropErr {
							e.Kernel.Yield("drop")
							return nil
						}
						if strings.Contains(c.cmd, "read x") {
							w.Put("go")
							got = append(got, "put")
						}
					}
					return nil
				},
				"drop": func(e *kernel.Event) any {
					if err := w.Event("StderrEvent", ""); err != nil {
						t.Error(err)
					}
					got = append(got, "dropped")
					w.Put("go")
					return nil
				},
				"closed": func(e *kernel.Event) any {
					if closed {
						t.Error("a second CloseEvent")
					}
					got = append(got, "closed")
					closed = true
					// Renaming after CloseEvent does not give it again.
					if err := w.Event("ErrorEvent", "err"); err != nil {
						t.Error(err)
					}
					done()
					return nil
				},
				"chld": func(e *kernel.Event) any {
					if e.ArgInt(2) != 0 {
						t.Errorf("exit status %d", e.ArgInt(2))
					}
					exited = true
					done()
					return nil
				},
			})
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("events %q, want %q", got, c.want)
			}
		})
	}
}

// TestRunEventRecount holds Event giving StderrEvent after the end of
// stdout, when CloseEvent waited for stdout only: from then on it waits
// for stderr too. (POE's event recounts the outputs from their events
// alone, so there it would count stdout again and CloseEvent never
// come; POE also has no stderr pipe to read then.)
func TestRunEventRecount(t *testing.T) {
	checkFds(t)
	var w *wheel.Run
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w = newRun(t, e, wheel.RunOptions{Command: `exec >&-; read x; echo late >&2`,
				StdoutEvent: "out", CloseEvent: "closed", ErrorEvent: "err"})
			if err := w.Event("StderrEvent", "errout"); err != nil {
				t.Fatal(err)
			}
			return nil
		},
		"err": func(e *kernel.Event) any {
			got = append(got, "end "+e.ArgString(4))
			if e.ArgString(4) == "STDOUT" {
				w.Put("go")
			}
			return nil
		},
		"errout": func(e *kernel.Event) any { got = append(got, "stderr "+e.ArgString(0)); return nil },
		"closed": func(e *kernel.Event) any { got = append(got, "closed"); w.Close(); return nil },
		"chld":   func(e *kernel.Event) any { return nil },
	})
	if want := []string{"end STDOUT", "stderr late", "end STDERR", "closed"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}
