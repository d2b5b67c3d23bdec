package exceptions_test

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
)

// TestPanicWhere holds the DIE signal for a panic in _start, in an alarm
// handler and in a select handler: the payload names the event, the
// session it came from (the kernel for a _start run by Create outside
// every session, the session itself for its own alarm and I/O events)
// and the state that set it up (none for I/O); unhandled, the DIE stops
// every session and Run returns the panic; handled, the sessions run on.
// The sequences were taken from Perl POE 1.370.
func TestPanicWhere(t *testing.T) {
	for _, tc := range []struct {
		where, event, from string
		fromKernel         bool
		laterRuns          bool // the session's own delay fires when handled
	}{
		{"_start", "_start", "", true, false},
		{"an alarm handler", "tick", "_start", false, true},
		{"a select handler", "readable", "", false, true},
	} {
		for _, handled := range []bool{false, true} {
			name := "a panic in " + tc.where + " unhandled ends Run with it"
			if handled {
				name = "a panic in " + tc.where + " handled lets the sessions run on"
			}
			t.Run(name, func(t *testing.T) {
				var p [2]int
				if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
					t.Fatal(err)
				}
				defer unix.Close(p[0])
				unix.Close(p[1]) // EOF: readable at once
				k := newKernel(t)
				var tr trail
				var info map[string]any
				s := k.Create(kernel.Session{States: kernel.States{
					"_start": func(e *kernel.Event) any {
						e.Kernel.Sig("DIE", "d")
						switch tc.event {
						case "_start":
							panic("_start died")
						case "tick":
							e.Kernel.Delay("tick", time.Millisecond)
						case "readable":
							e.Kernel.SelectRead(p[0], "readable")
						}
						e.Kernel.Delay("later", 50*time.Millisecond)
						return nil
					},
					"tick": func(e *kernel.Event) any { panic("tick died") },
					"readable": func(e *kernel.Event) any {
						e.Kernel.SelectRead(p[0], "")
						panic("readable died")
					},
					"later": func(e *kernel.Event) any { tr.Add("later"); return nil },
					"d": func(e *kernel.Event) any {
						info = e.Arg(1).(map[string]any)
						tr.Add("DIE %v", info["error_str"])
						if handled {
							e.Kernel.SigHandled()
						}
						return nil
					},
					"_stop": func(e *kernel.Event) any { tr.Add("stop"); return nil },
				}})
				k.Create(kernel.Session{States: kernel.States{
					"_start": func(e *kernel.Event) any { e.Kernel.Delay("other", 100*time.Millisecond); return nil },
					"other":  func(e *kernel.Event) any { tr.Add("other fired"); return nil },
					"_stop":  func(e *kernel.Event) any { tr.Add("other stop"); return nil },
				}})
				err := run(t, k)
				want := []string{"DIE " + tc.event + " died"}
				if handled && tc.laterRuns {
					want = append(want, "later")
				}
				want = append(want, "stop")
				if handled {
					want = append(want, "other fired")
				}
				tr.Expect(t, append(want, "other stop")...)
				perr, _ := err.(*kernel.PanicError)
				switch {
				case handled && err != nil:
					t.Errorf("Run = %v, want nil", err)
				case !handled && (perr == nil || perr.State != tc.event || perr.Session != s.ID()):
					t.Errorf("Run = %v, want the panic in %s", err, tc.event)
				}
				src := any(s)
				if tc.fromKernel {
					src = k.Session()
				}
				if info["event"] != tc.event || info["from_state"] != tc.from ||
					info["source_session"] != src || info["dest_session"] != s {
					t.Errorf("DIE payload event %v from_state %q source %v dest %v, want %v %q %v %v",
						info["event"], info["from_state"], info["source_session"], info["dest_session"],
						tc.event, tc.from, src, s)
				}
			})
		}
	}
}

// TestPanicInStop holds a panic in _stop: no DIE signal is sent for it
// (the session is going away), so a DIE handler neither sees nor handles
// it, and Run returns it. The sequence was taken from Perl POE 1.370.
func TestPanicInStop(t *testing.T) {
	k := newKernel(t)
	var tr trail
	s := k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("DIE", "d")
			e.Kernel.Yield("work")
			return nil
		},
		"work": func(e *kernel.Event) any { tr.Add("work"); return nil },
		"d": func(e *kernel.Event) any {
			tr.Add("DIE")
			e.Kernel.SigHandled()
			return nil
		},
		"_stop": func(e *kernel.Event) any { tr.Add("stop"); panic("stop died") },
	}})
	err := run(t, k)
	tr.Expect(t, "work", "stop")
	perr, _ := err.(*kernel.PanicError)
	if perr == nil || perr.Value != "stop died" || perr.State != "_stop" || perr.Session != s.ID() || perr.Previous != nil {
		t.Errorf("Run = %v, want the panic in _stop alone", err)
	}
}
