package resources_test

import (
	"errors"
	"fmt"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestQueueOrder checks POE-SEMANTICS 3.1's verified example: posts are
// FIFO, an alarm due in the past runs before posts queued earlier, and a
// zero delay queues among the posts.
func TestQueueOrder(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			k.Yield("y1")
			k.Delay("delay0", 0)
			k.AlarmAdd("past", time.Now().Add(-10*time.Second))
			k.Yield("y2")
			k.Post(e.Session, "p3")
			return nil
		},
		"_default": func(e *kernel.Event) any { tr.Add("%s", e.Arg(0)); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "past", "y1", "delay0", "y2", "p3", "_stop")
}

// TestEventCounts mirrors the queue accounting of POE's
// t/20_resources/00_base/events.pm: events to and from a session are
// counted, they add one (not one each) to the reference counts of both
// ends, and the counts fall back when the events are dispatched.
func TestEventCounts(t *testing.T) {
	k := newKernel(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.AliasSet("target"); return nil },
		"ev":     nop,
		"done":   func(e *kernel.Event) any { e.Kernel.AliasRemove("target"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			before := counts(t, k, "target")
			self := counts(t, k, e.Session)
			for i := 0; i < 3; i++ {
				k.Post("target", "ev", i)
			}
			t.Run("three posts count three events to the target", func(t *testing.T) {
				c := counts(t, k, "target")
				// The alias, plus one for all the events addressed to it.
				if c.EventsTo != before.EventsTo+3 || c.Refcount != 2 {
					t.Errorf("target: to %d refcount %d, want %d and 2", c.EventsTo, c.Refcount, before.EventsTo+3)
				}
			})
			t.Run("three posts count three events from the sender", func(t *testing.T) {
				c := counts(t, k, e.Session)
				if c.EventsFrom != 3 || c.Refcount != self.Refcount+1 {
					t.Errorf("sender: from %d refcount %d, want 3 and %d", c.EventsFrom, c.Refcount, self.Refcount+1)
				}
			})
			t.Run("posts to oneself count to, not from", func(t *testing.T) {
				k.Yield("check")
				c := counts(t, k, e.Session)
				if c.EventsFrom != 3 || c.EventsTo != self.EventsTo+1 {
					t.Errorf("self: from %d to %d, want 3 and %d", c.EventsFrom, c.EventsTo, self.EventsTo+1)
				}
			})
			t.Run("GetEventCount counts every queued event", func(t *testing.T) {
				if n := k.GetEventCount(); n < 4 {
					t.Errorf("GetEventCount = %d, want at least 4", n)
				}
			})
			return nil
		},
		"check": func(e *kernel.Event) any { e.Kernel.Yield("check2"); return nil },
		"check2": func(e *kernel.Event) any {
			t.Run("dispatched events are no longer counted", func(t *testing.T) {
				c := counts(t, e.Kernel, e.Session)
				if c.EventsFrom != 0 || c.EventsTo != 0 || c.Refcount != 0 {
					t.Errorf("after dispatch: %+v, want nothing counted", c)
				}
			})
			e.Kernel.Post("target", "done")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestPostYieldCall checks POE-SEMANTICS 3.3: the return values and errno
// of post, yield and call, and that call runs the handler at once.
func TestPostYieldCall(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			t.Run("post to an unknown session fails with ESRCH", func(t *testing.T) {
				if err := k.Post(999, "x"); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("Post = %v, want ESRCH", err)
				}
				if err := k.Post("no such alias", "x"); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("Post = %v, want ESRCH", err)
				}
			})
			t.Run("call to an unknown session fails with ESRCH", func(t *testing.T) {
				if v, err := k.Call(999, "x"); v != nil || !errors.Is(err, syscall.ESRCH) {
					t.Errorf("Call = %v, %v; want nil, ESRCH", v, err)
				}
			})
			t.Run("call returns the handler's value at once", func(t *testing.T) {
				v, err := k.Call(e.Session, "double", 21)
				if v != 42 || err != nil {
					t.Errorf("Call = %v, %v; want 42, nil", v, err)
				}
			})
			t.Run("call of a state nobody handles returns nil", func(t *testing.T) {
				if v, err := k.Call(e.Session, "nothing"); v != nil || err != nil {
					t.Errorf("Call = %v, %v; want nil, nil", v, err)
				}
			})
			k.Yield("ev", "a", 1)
			return nil
		},
		"double": func(e *kernel.Event) any {
			if e.Sender != e.Session {
				t.Errorf("SENDER of a call to oneself = %v, want the session", e.Sender)
			}
			return 2 * e.ArgInt(0)
		},
		"ev": func(e *kernel.Event) any {
			tr.Add("ev %v %v from %v", e.Arg(0), e.Arg(1), e.Sender)
			return nil
		},
	}})
	k.SetLogOutput(discard{})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "ev a 1 from session 1")
}

// TestCallAnotherSession checks calls to another session by its handle,
// which the kernel dispatches by its quickest path when the state is the
// one the session ran last: every argument arrives, however many, and the
// first call at a depth of nesting not reached before works too.
func TestCallAnotherSession(t *testing.T) {
	k := newKernel(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Yield("sum") // the last state before any call
			return e.Kernel.AliasSet("adder")
		},
		"sum": func(e *kernel.Event) any {
			total := 1000 * len(e.Args)
			for i := range e.Args {
				total += e.ArgInt(i)
			}
			return total
		},
		"bye": func(e *kernel.Event) any { return e.Kernel.AliasRemove("adder") },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
		"go": func(e *kernel.Event) any {
			adder := e.Kernel.AliasResolve("adder")
			for _, n := range []int{0, 1, 6, 7, 9, 1} {
				args := make([]any, n)
				want := 1000 * n
				for i := range args {
					args[i] = i + 1
					want += i + 1
				}
				for range 2 {
					if v, err := e.Kernel.Call(adder, "sum", args...); v != want || err != nil {
						t.Errorf("Call with %d arguments = %v, %v; want %d, nil", n, v, err, want)
					}
				}
			}
			return e.Kernel.Post(adder, "bye")
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestCallItself checks a session's calls to itself by its handle, each
// at a depth of nesting not reached before, with one argument more at
// each depth: the handler's state is the one the session ran last, which
// the kernel dispatches by its quickest path.
func TestCallItself(t *testing.T) {
	k := newKernel(t)
	var depths []string
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("down", 8); return nil },
		"down": func(e *kernel.Event) any {
			n := e.ArgInt(0)
			depths = append(depths, fmt.Sprintf("%d args from %s", len(e.Args), e.CallerState))
			if n == 0 {
				return 0
			}
			args := make([]any, 9-n)
			args[0] = n - 1
			v, err := e.Kernel.Call(e.Session, "down", args...)
			if err != nil {
				t.Error(err)
			}
			return v.(int) + 1
		},
		"_stop": func(e *kernel.Event) any { return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	want := []string{"1 args from _start"}
	for n := 1; n <= 8; n++ {
		want = append(want, fmt.Sprintf("%d args from down", n))
	}
	if !reflect.DeepEqual(depths, want) {
		t.Errorf("calls %q, want %q", depths, want)
	}
}

// TestCallAfterStop checks that a session stopped while its handler runs
// cannot be called any more, even by that handler, by its handle, for
// the state it ran last: Call fails with ESRCH, as POE 1.370's call does
// (checked against it).
func TestCallAfterStop(t *testing.T) {
	k := newKernel(t)
	runs := 0
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
		"again":  func(e *kernel.Event) any { runs++; return nil },
		"go": func(e *kernel.Event) any {
			e.Kernel.Call(e.Session, "again")
			e.Kernel.Call(e.Session, "again")
			e.Kernel.Stop()
			if _, err := e.Kernel.Call(e.Session, "again"); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("Call after Stop = %v, want ESRCH", err)
			}
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("the state ran %d times, want 2", runs)
	}
}

// TestDefault checks POE-SEMANTICS 2.3: _default gets the state name and a
// copy of the arguments, including POE's own events, and its value is what
// call returns.
func TestDefault(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Yield("withdefault", 1, 2)
			v, _ := e.Kernel.Call(e.Session, "called")
			tr.Add("call returned %v", v)
			return nil
		},
		"_default": func(e *kernel.Event) any {
			args, _ := e.Arg(1).([]any)
			tr.Add("%s %s %v", e.State, e.Arg(0), args)
			return "from default"
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "_default called []", "call returned from default", "_default withdefault [1 2]", "_default _stop []")
}

// TestAlarms mirrors the alarm half of POE's events.pm and POE-SEMANTICS 7:
// the return values of every alarm call, removal by name, by ID and for a
// whole session, and that removing alarms never touches posts.
func TestAlarms(t *testing.T) {
	k := newKernel(t)
	var tr trail
	far := time.Now().Add(time.Hour)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			t.Run("an empty state name is EINVAL", func(t *testing.T) {
				for name, err := range map[string]error{
					"alarm":     k.Alarm("", far),
					"alarm_add": k.AlarmAdd("", far),
					"delay":     k.Delay("", time.Second),
					"delay_add": k.DelayAdd("", time.Second),
				} {
					if !errors.Is(err, syscall.EINVAL) {
						t.Errorf("%s = %v, want EINVAL", name, err)
					}
				}
				if _, err := k.AlarmSet("", far); !errors.Is(err, syscall.EINVAL) {
					t.Errorf("alarm_set = %v, want EINVAL", err)
				}
				if _, err := k.DelaySet("", time.Second); !errors.Is(err, syscall.EINVAL) {
					t.Errorf("delay_set = %v, want EINVAL", err)
				}
			})
			t.Run("a zero time is EINVAL for alarm_add and alarm_set", func(t *testing.T) {
				if err := k.AlarmAdd("x", time.Time{}); !errors.Is(err, syscall.EINVAL) {
					t.Errorf("alarm_add = %v, want EINVAL", err)
				}
				if _, err := k.AlarmSet("x", time.Time{}); !errors.Is(err, syscall.EINVAL) {
					t.Errorf("alarm_set = %v, want EINVAL", err)
				}
			})
			var ids []kernel.AlarmID
			t.Run("alarm_set returns increasing IDs", func(t *testing.T) {
				for i := 0; i < 3; i++ {
					id, err := k.AlarmSet("timer", far, i)
					if err != nil || (len(ids) > 0 && id <= ids[len(ids)-1]) {
						t.Errorf("AlarmSet = %v, %v after %v", id, err, ids)
					}
					ids = append(ids, id)
				}
			})
			k.AlarmAdd("other", far.Add(time.Second), "o")
			k.Yield("timer", "posted")
			t.Run("alarm_remove returns the alarm's state, time and args", func(t *testing.T) {
				info, err := k.AlarmRemove(ids[1])
				if err != nil || info.State != "timer" || !info.When.Equal(far) || len(info.Args) != 1 || info.Args[0] != 1 {
					t.Errorf("AlarmRemove = %+v, %v", info, err)
				}
			})
			t.Run("removing an alarm twice fails with ESRCH", func(t *testing.T) {
				if _, err := k.AlarmRemove(ids[1]); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("AlarmRemove = %v, want ESRCH", err)
				}
			})
			t.Run("alarm_adjust moves an alarm and returns its new time", func(t *testing.T) {
				when, err := k.AlarmAdjust(ids[0], -time.Minute)
				if err != nil || !when.Equal(far.Add(-time.Minute)) {
					t.Errorf("AlarmAdjust = %v, %v; want %v", when, err, far.Add(-time.Minute))
				}
			})
			t.Run("alarm_adjust of an unknown ID fails with ESRCH", func(t *testing.T) {
				if _, err := k.AlarmAdjust(ids[1], time.Second); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("AlarmAdjust = %v, want ESRCH", err)
				}
			})
			t.Run("alarm with a zero time removes the named alarms only", func(t *testing.T) {
				if err := k.Alarm("timer", time.Time{}); err != nil {
					t.Errorf("Alarm = %v", err)
				}
				if _, err := k.AlarmRemove(ids[2]); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("a named alarm survived alarm(): %v", err)
				}
			})
			t.Run("alarm_remove_all returns the remaining alarms", func(t *testing.T) {
				all := k.AlarmRemoveAll()
				if len(all) != 1 || all[0].State != "other" || all[0].Args[0] != "o" {
					t.Errorf("AlarmRemoveAll = %+v, want the one other alarm", all)
				}
			})
			t.Run("delay replaces the alarms of its state", func(t *testing.T) {
				k.DelayAdd("tick", time.Hour)
				k.Delay("tick", 0, "only")
			})
			return nil
		},
		"timer": func(e *kernel.Event) any { tr.Add("timer %v", e.Arg(0)); return nil },
		"tick":  func(e *kernel.Event) any { tr.Add("tick %v", e.Arg(0)); return nil },
		"other": func(e *kernel.Event) any { tr.Add("other"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "timer posted", "tick only")
}

// TestAlarmsOfAnotherSession checks that alarm IDs belong to the session
// that set them: alarm_remove and alarm_adjust of an alarm that exists
// but is another session's fail with EPERM, where an unknown ID is ESRCH,
// as in Perl POE 1.370 (the differential test, t/poe/95_differential,
// found the EPERM). Perl's delay_adjust leaves $! alone there; here it is
// ESRCH.
func TestAlarmsOfAnotherSession(t *testing.T) {
	k := newKernel(t)
	var id kernel.AlarmID
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			id, _ = e.Kernel.DelaySet("never", time.Hour)
			e.Kernel.AliasSet("owner")
			return nil
		},
		"remove": func(e *kernel.Event) any { e.Kernel.AlarmRemoveAll(); e.Kernel.AliasRemove("owner"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			for _, c := range []struct {
				what string
				try  func() error
				want error
			}{
				{"AlarmRemove of another session's alarm", func() error { _, err := k.AlarmRemove(id); return err }, syscall.EPERM},
				{"AlarmAdjust of another session's alarm", func() error { _, err := k.AlarmAdjust(id, time.Second); return err }, syscall.EPERM},
				{"DelayAdjust of another session's alarm to now", func() error { _, err := k.DelayAdjust(id, 0); return err }, syscall.ESRCH},
				{"DelayAdjust of another session's alarm to a second from now", func() error { _, err := k.DelayAdjust(id, time.Second); return err }, syscall.ESRCH},
				{"AlarmRemove of an unknown alarm", func() error { _, err := k.AlarmRemove(id + 1000); return err }, syscall.ESRCH},
			} {
				if err := c.try(); !errors.Is(err, c.want) {
					t.Errorf("%s = %v, want %v", c.what, err, c.want)
				}
			}
			e.Kernel.Post("owner", "remove")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestEventsOfAStoppedSession checks POE-SEMANTICS 2.4 step 4: events to
// and from a stopped session are silently discarded, even one it posts
// from its own _stop (checked against POE 1.370).
func TestEventsOfAStoppedSession(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start":      func(e *kernel.Event) any { e.Kernel.AliasSet("receiver"); return nil },
		"from_doomed": func(e *kernel.Event) any { tr.Add("from doomed"); return nil },
		"done":        func(e *kernel.Event) any { tr.Add("done"); return nil },
		"_stop":       func(e *kernel.Event) any { tr.Add("receiver stops"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Signal(e.Session, "TERM") // unhandled and terminal: it stops first
			e.Kernel.Post("receiver", "from_doomed")
			e.Kernel.Yield("to_doomed")
			e.Kernel.Delay("to_doomed", 0)
			return nil
		},
		"to_doomed": func(e *kernel.Event) any { tr.Add("to doomed"); return nil },
		"_stop": func(e *kernel.Event) any {
			tr.Add("doomed stops")
			e.Kernel.Post("receiver", "done")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "doomed stops", "receiver stops")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
