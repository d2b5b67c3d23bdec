package resources_test

import (
	"errors"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestSignalDestinations checks POE's signal() destinations: a session by
// ID, by alias, and the kernel (which reaches every session), each with
// the signal's arguments before the watcher's; the handler's SENDER is the
// kernel and its CALLER_STATE the event that sent the signal. An unknown ID
// or alias is ESRCH. Sequence taken from Perl POE 1.370.
func TestSignalDestinations(t *testing.T) {
	cases := []struct {
		name string
		dest func(k *kernel.Kernel, target *kernel.Session) any
		args []any
	}{
		{"a signal to a session's ID reaches it", func(_ *kernel.Kernel, s *kernel.Session) any { return s.ID() }, []any{"by id"}},
		{"a signal to an alias reaches its session", func(*kernel.Kernel, *kernel.Session) any { return "target" }, []any{"by alias", 2}},
		{"a signal to the kernel reaches every session", func(k *kernel.Kernel, _ *kernel.Session) any { return k }, []any{"to kernel"}},
		{"a signal to the kernel's ID reaches every session", func(k *kernel.Kernel, _ *kernel.Session) any { return k.ID() }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			target := k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					e.Kernel.AliasSet("target")
					e.Kernel.Sig("USR1", "got", "watcher arg")
					e.Kernel.Yield("wait")
					return nil
				},
				"wait": func(e *kernel.Event) any { e.Kernel.Yield("unwatch"); return nil },
				"got": func(e *kernel.Event) any {
					tr.Add("got %v from kernel %v after %s", e.Args, e.Sender.IsKernel(), e.CallerState)
					return nil
				},
				"unwatch": func(e *kernel.Event) any { e.Kernel.Sig("USR1", ""); e.Kernel.AliasRemove("target"); return nil },
			}})
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					if err := e.Kernel.Signal(c.dest(e.Kernel, target), "USR1", c.args...); err != nil {
						t.Errorf("Signal = %v", err)
					}
					return nil
				},
			}})
			if err := run(t, k); err != nil {
				t.Fatal(err)
			}
			want := append(append([]any{"USR1"}, c.args...), "watcher arg")
			tr.Expect(t, "got "+fmtArgs(want)+" from kernel true after _start")
		})
	}
	t.Run("a signal to an unknown ID or alias is ESRCH", func(t *testing.T) {
		k := newKernel(t)
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				for _, dest := range []any{999, "nobody"} {
					if err := e.Kernel.Signal(dest, "USR1"); !errors.Is(err, syscall.ESRCH) {
						t.Errorf("Signal(%v) = %v, want ESRCH", dest, err)
					}
				}
				if err := e.Kernel.Signal(e.Session, ""); !errors.Is(err, syscall.EINVAL) {
					t.Errorf("Signal without a name = %v, want EINVAL", err)
				}
				return nil
			},
		}})
		if err := run(t, k); err != nil {
			t.Fatal(err)
		}
	})
}

// fmtArgs formats args as a trail entry formats an Event's Args.
func fmtArgs(args []any) string {
	var tr trail
	tr.Add("%v", args)
	return tr[0]
}

// TestSignalWatchersInSeveralSessions checks that a signal to the kernel
// reaches every session watching it, and that a session that stopped while
// it watched the signal is no longer among them: its watcher went with it,
// and the others keep theirs. POE delivers to siblings in hash order, so
// only the set is checked. Sequence taken from Perl POE 1.370.
func TestSignalWatchersInSeveralSessions(t *testing.T) {
	k := newKernel(t)
	var tr trail
	watcher := func(name string) {
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet(name)
				e.Kernel.Sig("USR1", "got")
				return nil
			},
			"got":   func(e *kernel.Event) any { tr.Add("%s got %v", name, e.Arg(0)); return nil },
			"leave": func(e *kernel.Event) any { tr.Add("%s leaves", name); e.Kernel.AliasRemove(name); return nil },
			"_stop": func(e *kernel.Event) any { tr.Add("%s stops", name); return nil },
		}})
	}
	watcher("A")
	watcher("B")
	watcher("C")
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Post("B", "leave")
			e.Kernel.Yield("wait")
			return nil
		},
		"wait": func(e *kernel.Event) any { e.Kernel.Yield("send"); return nil },
		"send": func(e *kernel.Event) any {
			tr.Add("signal")
			e.Kernel.Signal(e.Kernel, "USR1")
			e.Kernel.Yield("end")
			return nil
		},
		"end": func(e *kernel.Event) any {
			tr.Add("end")
			e.Kernel.Post("A", "leave")
			e.Kernel.Post("C", "leave")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if len(tr) != 10 {
		t.Fatalf("events: %v", tr)
	}
	tr[:3].Expect(t, "B leaves", "B stops", "signal")
	got := append(trail(nil), tr[3:5]...)
	sort.Strings(got)
	got.Expect(t, "A got USR1", "C got USR1")
	tr[5:8].Expect(t, "end", "A leaves", "C leaves")
}

// TestSigHandledInNestedDispatch checks that sig_handled belongs to the
// signal being dispatched: while a TERM handler runs a timeslice that
// dispatches an INT to another session, neither signal's handled flag
// leaks into the other's. Sequences taken from Perl POE 1.370 (POE makes
// the flags local to each dispatch).
func TestSigHandledInNestedDispatch(t *testing.T) {
	const before, after = 1, 2
	cases := []struct {
		name         string
		outer, inner int // when S1 handles TERM; whether S2 handles INT
		want         []string
	}{
		{
			name:  "TERM handled before the nested INT still spares S1, the unhandled INT stops S2",
			outer: before, inner: 0,
			want: []string{"S1 got TERM", "S2 got INT", "S2 stops", "S1 back", "end", "S1 stops"},
		},
		{
			name:  "an INT handled inside does not count for the unhandled TERM",
			outer: 0, inner: 1,
			want: []string{"S1 got TERM", "S2 got INT", "S1 back", "S1 stops", "end", "S2 stops"},
		},
		{
			name:  "both handled stop nobody",
			outer: before, inner: 1,
			want: []string{"S1 got TERM", "S2 got INT", "S1 back", "end", "S1 stops", "S2 stops"},
		},
		{
			name:  "TERM handled after the nested INT spares S1 only",
			outer: after, inner: 0,
			want: []string{"S1 got TERM", "S2 got INT", "S2 stops", "S1 back", "end", "S1 stops"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.AliasSet("S1"); e.Kernel.Sig("TERM", "term"); return nil },
				"term": func(e *kernel.Event) any {
					tr.Add("S1 got TERM")
					if c.outer == before {
						e.Kernel.SigHandled()
					}
					e.Kernel.RunOneTimeslice()
					tr.Add("S1 back")
					if c.outer == after {
						e.Kernel.SigHandled()
					}
					return nil
				},
				"_stop": func(e *kernel.Event) any { tr.Add("S1 stops"); return nil },
			}})
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.AliasSet("S2"); e.Kernel.Sig("INT", "int"); return nil },
				"int": func(e *kernel.Event) any {
					tr.Add("S2 got INT")
					if c.inner == 1 {
						e.Kernel.SigHandled()
					}
					return nil
				},
				"_stop": func(e *kernel.Event) any { tr.Add("S2 stops"); return nil },
			}})
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					e.Kernel.Signal("S1", "TERM")
					e.Kernel.Signal("S2", "INT")
					// A timer, so that the nested timeslice finds nothing
					// more to do once the INT is dispatched.
					e.Kernel.Delay("end", 20*time.Millisecond)
					return nil
				},
				"end": func(e *kernel.Event) any {
					tr.Add("end")
					e.Kernel.Signal("S1", "ZOMBIE")
					e.Kernel.Signal("S2", "ZOMBIE")
					return nil
				},
			}})
			if err := run(t, k); err != nil {
				t.Fatal(err)
			}
			tr.Expect(t, c.want...)
		})
	}
}

// TestSignalSkipsAWatcherStoppedMeanwhile checks a watcher that stops
// while the signal is being dispatched to the others (here through a
// nested timeslice): it is skipped, so no handler of it runs after its
// _stop. POE 1.370 dispatches from a copy of its watcher table taken
// before the first handler, and runs the stopped session's handler after
// its _stop; this port does not keep that.
func TestSignalSkipsAWatcherStoppedMeanwhile(t *testing.T) {
	k := newKernel(t)
	var tr trail
	for _, name := range []string{"Y", "X"} { // the kernel's later children hear a signal first
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet(name)
				e.Kernel.Sig("USR1", "got")
				e.Kernel.Delay("end", 20*time.Millisecond)
				return nil
			},
			"got": func(e *kernel.Event) any {
				tr.Add("%s got %v", name, e.Arg(0))
				if name == "X" {
					e.Kernel.Signal("Y", "TERM")
					e.Kernel.RunOneTimeslice()
					tr.Add("X back")
				}
				return nil
			},
			"end":   nop,
			"_stop": func(e *kernel.Event) any { tr.Add("%s stops", name); return nil },
		}})
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Signal(e.Kernel, "USR1"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "X got USR1", "Y stops", "X back", "X stops")
}

// TestUnhandledDieWithoutArguments checks a DIE signal a program sends
// itself, without the exception's details: unhandled, it stops the
// sessions it reached, as a terminal signal, but there is no exception to
// end Run with, so the other sessions carry on. Sequence taken from Perl
// POE 1.370.
func TestUnhandledDieWithoutArguments(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Delay("tick", 20*time.Millisecond); return nil },
		"tick":   func(e *kernel.Event) any { tr.Add("other tick"); return nil },
		"_stop":  func(e *kernel.Event) any { tr.Add("other stops"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("DIE", "die")
			e.Kernel.Signal(e.Session, "DIE")
			e.Kernel.Yield("after")
			return nil
		},
		"die":   func(e *kernel.Event) any { tr.Add("got %v", e.Args); return nil },
		"after": func(e *kernel.Event) any { tr.Add("after"); return nil },
		"_stop": func(e *kernel.Event) any { tr.Add("stops"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	tr.Expect(t, "got [DIE]", "stops", "other tick", "other stops")
}
