package regression_test

import (
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// The tests in this file hold differences from Perl POE 1.370 that the
// differential test (t/poe/95_differential) found; each sequence was
// taken from Perl POE 1.370.

// TestSweepStopsLatestMarkedFirst holds POE's garbage-collection order:
// sessions left without references in one dispatch step stop in the
// reverse of the order their counts fell to zero, and a session that
// still has an event pending is marked only when that event leaves the
// queue.
func TestSweepStopsLatestMarkedFirst(t *testing.T) {
	for _, tc := range []struct {
		name     string
		postToA  bool
		wantStop []string
	}{
		{"sessions idle from the start stop last created first", false, []string{"C _stop", "B _stop", "A _stop"}},
		{"a session held by a post is marked when the post is dispatched", true, []string{"A ev", "C _stop", "A _stop", "B _stop"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			var a *kernel.Session
			for _, name := range []string{"A", "B", "C"} {
				s := k.Create(kernel.Session{States: kernel.States{
					"_start": func(e *kernel.Event) any {
						if name == "C" && tc.postToA {
							e.Kernel.Post(a, "ev")
						}
						return nil
					},
					"ev":    func(e *kernel.Event) any { tr.Add("%s ev", name); return nil },
					"_stop": func(e *kernel.Event) any { tr.Add("%s _stop", name); return nil },
				}})
				if name == "A" {
					a = s
				}
			}
			if err := run(t, k); err != nil {
				t.Fatal(err)
			}
			tr.Expect(t, tc.wantStop...)
		})
	}
}

// TestLostChildStillExistsInChildLose holds that a session being stopped
// exists until its parent has heard _child lose: the parent's post to it
// succeeds (and the event is dropped with the session), and its call
// runs the child's handler.
func TestLostChildStillExistsInChildLose(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(*kernel.Event) any { return nil },
				"_stop":  func(*kernel.Event) any { tr.Add("C _stop"); return nil },
				"hello":  func(*kernel.Event) any { tr.Add("C hello"); return "hi" },
			}})
			return nil
		},
		"_child": func(e *kernel.Event) any {
			if e.Arg(0) != "lose" {
				return nil
			}
			child := e.Arg(1).(*kernel.Session)
			tr.Add("post to lost child: %v", e.Kernel.Post(child, "hello"))
			ret, err := e.Kernel.Call(child, "hello")
			tr.Add("call to lost child: %v %v", ret, err)
			return nil
		},
		"_stop": func(*kernel.Event) any { tr.Add("P _stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "C _stop", "post to lost child: <nil>", "C hello", "call to lost child: hi <nil>", "P _stop")
}

// TestCallToTheKernelIsZero holds POE's answer to a call to the kernel's
// own session, by reference or by ID, of any event: 0, as
// POE::Kernel's _invoke_state ends, and no error.
func TestCallToTheKernelIsZero(t *testing.T) {
	k := newKernel(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			for _, dest := range []any{e.Kernel.Session(), e.Kernel.ID()} {
				ret, err := e.Kernel.Call(dest, "whatever", 1)
				if ret != 0 || err != nil {
					t.Errorf("Call(%v, whatever) = %v, %v; want 0, nil", dest, ret, err)
				}
			}
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestMarkedWhenTheEventLeavesTheQueue holds the moment POE marks an
// event's sessions for collection: when the event leaves the queue,
// before its handler runs. A session whose last reference was the event
// it sent is so marked before one that its handler lets go of, and the
// sweep stops the later mark first. Both sequences were taken from Perl
// POE 1.370.
func TestMarkedWhenTheEventLeavesTheQueue(t *testing.T) {
	t.Run("a handler removing its session's last alias stops that session first", func(t *testing.T) {
		k := newKernel(t)
		var tr trail
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("x") },
			"b":      func(e *kernel.Event) any { tr.Add("B b"); return e.Kernel.AliasRemove("x") },
			"_stop":  func(*kernel.Event) any { tr.Add("B _stop"); return nil },
		}})
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
			"go":     func(e *kernel.Event) any { tr.Add("A go"); return e.Kernel.Post("x", "b") },
			"_stop":  func(*kernel.Event) any { tr.Add("A _stop"); return nil },
		}})
		if err := run(t, k); err != nil {
			t.Fatal(err)
		}
		tr.Expect(t, "A go", "B b", "B _stop", "A _stop")
	})
	t.Run("a session detaching itself in a handler stops before the event's sender", func(t *testing.T) {
		k := newKernel(t)
		var tr trail
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet("p")
				e.Kernel.Create(kernel.Session{States: kernel.States{
					"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("c") },
					"d": func(e *kernel.Event) any {
						tr.Add("C d")
						e.Kernel.DetachMyself()
						return e.Kernel.AliasRemove("c")
					},
					"_parent": func(*kernel.Event) any { tr.Add("C _parent"); return nil },
					"_stop":   func(*kernel.Event) any { tr.Add("C _stop"); return nil },
				}})
				return nil
			},
			"rm":     func(e *kernel.Event) any { return e.Kernel.AliasRemove("p") },
			"_child": func(e *kernel.Event) any { tr.Add("P _child %v", e.Arg(0)); return nil },
			"_stop":  func(*kernel.Event) any { tr.Add("P _stop"); return nil },
		}})
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
			"go": func(e *kernel.Event) any {
				tr.Add("A go")
				e.Kernel.Post("p", "rm")
				return e.Kernel.Post("c", "d")
			},
			"_stop": func(*kernel.Event) any { tr.Add("A _stop"); return nil },
		}})
		if err := run(t, k); err != nil {
			t.Fatal(err)
		}
		tr.Expect(t, "P _child create", "A go", "C d", "P _child lose", "C _parent", "C _stop", "P _stop", "A _stop")
	})
}

// TestMovedAlarmRunsAfterItsEquals holds where POE's queue puts an alarm
// that alarm_adjust or delay_adjust moved: after every item due at the
// same time, as if it had just been set, whichever was set first; its ID
// still finds it. Perl POE 1.370's adjust_priority splices the item out
// and inserts it after its equals; the sequences are Perl's (alarms in
// the past, so that nothing waits).
func TestMovedAlarmRunsAfterItsEquals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delta time.Duration // what alarm_adjust moves a and y by
		want  []string
	}{
		{
			"an alarm adjusted to another's time runs after it",
			time.Second,
			[]string{"removed: d b a", "x", "z", "y", "removed by ID: y"},
		},
		{
			"an alarm adjusted by nothing keeps its place",
			0,
			[]string{"removed: d a b", "y", "x", "z", "removed by ID: y"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					k, now := e.Kernel, time.Now()
					// a moved to b's time: the removal order is the queue's.
					a, _ := k.AlarmSet("a", now.Add(-2500*time.Millisecond))
					k.Alarm("b", now.Add(-1500*time.Millisecond))
					k.AlarmAdd("d", now.Add(-4500*time.Millisecond))
					// Handlers run on the kernel's goroutine, where
					// t.Fatal must not be called: they report with t.Errorf
					// and return.
					if _, err := k.AlarmAdjust(a, tc.delta); err != nil {
						t.Errorf("moving a: %v", err)
						return nil
					}
					var names []string
					for _, info := range k.AlarmRemoveAll() {
						names = append(names, info.State)
					}
					tr.Add("removed: %s %s %s", names[0], names[1], names[2])
					// y moved to x's and z's time, then run.
					k.AlarmSet("x", now.Add(-2500*time.Millisecond))
					y, _ := k.AlarmSet("y", now.Add(-3500*time.Millisecond))
					k.AlarmSet("z", now.Add(-2500*time.Millisecond))
					if _, err := k.AlarmAdjust(y, tc.delta); err != nil {
						t.Errorf("moving y: %v", err)
						return nil
					}
					k.Yield("check", y)
					return nil
				},
				"x": func(e *kernel.Event) any { tr.Add("x"); return nil },
				"y": func(e *kernel.Event) any { tr.Add("y"); return nil },
				"z": func(e *kernel.Event) any { tr.Add("z"); return nil },
				"check": func(e *kernel.Event) any {
					// y has run: its ID, moved or not, finds nothing.
					if _, err := e.Kernel.AlarmRemove(e.Args[0].(kernel.AlarmID)); errors.Is(err, syscall.ESRCH) {
						tr.Add("removed by ID: y")
					}
					return nil
				},
			}})
			if err := run(t, k); err != nil {
				t.Fatal(err)
			}
			tr.Expect(t, tc.want...)
		})
	}
}

// TestParentMarkedBeforeSendersOfAStoppedSession holds the order in
// which POE's _data_ses_free lets go of a stopped session: its parent
// first, then the events queued for it, whose senders so fall idle after
// the parent and, the sweep taking the latest mark first, stop before
// it. Each session n > 0 creates two sessions with n-1 and yields b with
// n-1, b with n > 0 signals the fourth session created KILL (which stops
// its subtree); session 8's signal to it is still queued when it stops.
// Sequence from Perl POE 1.370.
func TestParentMarkedBeforeSendersOfAStoppedSession(t *testing.T) {
	k := newKernel(t)
	var tr trail
	var registry []*kernel.Session
	var spawn func(n int)
	spawn = func(n int) {
		name := ""
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				name = fmt.Sprint(len(registry))
				registry = append(registry, e.Session)
				if n > 0 {
					spawn(n - 1)
					spawn(n - 1)
					e.Kernel.Yield("b", n-1)
				}
				return nil
			},
			"b": func(e *kernel.Event) any {
				if e.ArgInt(0) > 0 {
					e.Kernel.Signal(registry[3], "KILL")
				}
				return nil
			},
			"_stop": func(e *kernel.Event) any { tr.Add("%s _stop", name); return nil },
		}})
	}
	spawn(3)
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range []int{14, 13, 11, 10, 7, 6, 4, 5, 9, 12, 3, 8, 2, 1, 0} {
		want = append(want, fmt.Sprintf("%d _stop", n))
	}
	tr.Expect(t, want...)
}

// TestSignalHeardByItsWatchersAtDispatch holds that a signal goes to the
// watchers it had when its dispatch began, as POE's _data_sig_watchers
// copies them: a parent that registers for it while its child handles
// it (children hear a signal first) does not hear that signal, only the
// next. The sequence was taken from Perl POE 1.370.
func TestSignalHeardByItsWatchersAtDispatch(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("p")
			p := e.Session
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					e.Kernel.AliasSet("c")
					return e.Kernel.Sig("PING", "got")
				},
				"got": func(e *kernel.Event) any {
					tr.Add("C got %v", e.Arg(0))
					e.Kernel.Call(p, "watch")
					e.Kernel.SigHandled()
					return nil
				},
				"bye": func(e *kernel.Event) any {
					e.Kernel.Sig("PING", "")
					return e.Kernel.AliasRemove("c")
				},
			}})
			e.Kernel.Yield("go")
			return nil
		},
		"watch": func(e *kernel.Event) any {
			tr.Add("P watch")
			return e.Kernel.Sig("PING", "got")
		},
		"go": func(e *kernel.Event) any {
			e.Kernel.Signal(e.Session, "PING")
			e.Kernel.Yield("again")
			return nil
		},
		"got": func(e *kernel.Event) any { tr.Add("P got %v", e.Arg(0)); return nil },
		"again": func(e *kernel.Event) any {
			e.Kernel.Signal(e.Session, "PING")
			e.Kernel.Yield("end")
			return nil
		},
		"end": func(e *kernel.Event) any {
			e.Kernel.Call("c", "bye")
			e.Kernel.Sig("PING", "")
			return e.Kernel.AliasRemove("p")
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "C got PING", "P watch", "C got PING", "P watch", "P got PING")
}
