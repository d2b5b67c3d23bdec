package resources_test

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestAlarmIDs mirrors the alarm-ID half of POE's events.pm: what
// alarm_remove, alarm_adjust and delay_adjust return for IDs that are
// unknown, moved several times, or already being dispatched, and what
// alarm_remove_all returns. Return values taken from Perl POE 1.370,
// where an unknown ID leaves ESRCH in $! (delay_adjust leaves $! alone
// there; here it is ESRCH too).
func TestAlarmIDs(t *testing.T) {
	k := newKernel(t)
	var tr trail
	far := time.Now().Add(time.Hour)
	var firing kernel.AlarmID
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			late, _ := k.AlarmSet("late", far.Add(3*time.Second), "L")
			early, _ := k.AlarmSet("early", far.Add(time.Second), "E")
			mid, _ := k.AlarmSet("mid", far.Add(2*time.Second), "M", "m2")
			t.Run("an unknown ID is ESRCH for every call that takes one", func(t *testing.T) {
				const unknown = kernel.AlarmID(99999)
				if info, err := k.AlarmRemove(unknown); !errors.Is(err, syscall.ESRCH) || info.State != "" {
					t.Errorf("AlarmRemove = %+v, %v; want ESRCH", info, err)
				}
				if when, err := k.AlarmAdjust(unknown, time.Second); !errors.Is(err, syscall.ESRCH) || !when.IsZero() {
					t.Errorf("AlarmAdjust = %v, %v; want ESRCH", when, err)
				}
				if when, err := k.DelayAdjust(unknown, time.Second); !errors.Is(err, syscall.ESRCH) || !when.IsZero() {
					t.Errorf("DelayAdjust = %v, %v; want ESRCH", when, err)
				}
			})
			t.Run("alarm_adjust moves an alarm from where the last adjustment left it", func(t *testing.T) {
				for _, step := range []struct {
					delta time.Duration
					want  time.Time
				}{
					{10 * time.Second, far.Add(11 * time.Second)},
					{-4 * time.Second, far.Add(7 * time.Second)},
				} {
					if when, err := k.AlarmAdjust(early, step.delta); err != nil || !when.Equal(step.want) {
						t.Errorf("AlarmAdjust(%v) = %v, %v; want %v", step.delta, when, err, step.want)
					}
				}
			})
			t.Run("delay_adjust sets an alarm's time from now", func(t *testing.T) {
				before := time.Now()
				when, err := k.DelayAdjust(mid, 100*time.Second)
				if err != nil || when.Before(before.Add(100*time.Second)) || when.After(time.Now().Add(100*time.Second)) {
					t.Errorf("DelayAdjust = %v, %v; want about now+100s", when, err)
				}
			})
			t.Run("alarm_remove_all returns every alarm in due order", func(t *testing.T) {
				all := k.AlarmRemoveAll()
				var got trail
				for _, a := range all {
					got.Add("%s %v", a.State, a.Args)
				}
				got.Expect(t, "mid [M m2]", "late [L]", "early [E]")
				if again := k.AlarmRemoveAll(); len(again) != 0 {
					t.Errorf("second AlarmRemoveAll = %+v, want none", again)
				}
				// The removed IDs stay unknown, even to a new alarm.
				fresh, _ := k.AlarmSet("fresh", far)
				for _, id := range []kernel.AlarmID{late, early, mid} {
					if info, err := k.AlarmRemove(id); !errors.Is(err, syscall.ESRCH) {
						t.Errorf("AlarmRemove(%v) after alarm_remove_all = %+v, %v; want ESRCH", id, info, err)
					}
				}
				if info, err := k.AlarmRemove(fresh); err != nil || info.State != "fresh" {
					t.Errorf("AlarmRemove(new alarm) = %+v, %v", info, err)
				}
			})
			t.Run("alarm and delay without a time only remove, and succeed with none to remove", func(t *testing.T) {
				if err := k.Alarm("nothing", time.Time{}); err != nil {
					t.Errorf("Alarm = %v", err)
				}
				if err := k.Delay("nothing", -1); err != nil {
					t.Errorf("Delay = %v", err)
				}
			})
			firing, _ = k.DelaySet("fire", 0, "f")
			return nil
		},
		"fire": func(e *kernel.Event) any {
			tr.Add("fire %v", e.Arg(0))
			t.Run("an alarm being dispatched is no longer known by its ID", func(t *testing.T) {
				k := e.Kernel
				k.DelaySet("later", time.Hour)
				if _, err := k.AlarmAdjust(firing, time.Second); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("AlarmAdjust = %v, want ESRCH", err)
				}
				if info, err := k.AlarmRemove(firing); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("AlarmRemove = %+v, %v; want ESRCH", info, err)
				}
				if all := k.AlarmRemoveAll(); len(all) != 1 || all[0].State != "later" {
					t.Errorf("AlarmRemoveAll = %+v, want the later alarm", all)
				}
			})
			return nil
		},
		"_stop": func(e *kernel.Event) any { tr.Add("stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "fire f", "stop")
}

// TestAlarmAdjustReorders checks that moving alarms changes the order they
// fire in: alarm_adjust past a later alarm and delay_adjust from now both
// put the alarm where its new time belongs.
func TestAlarmAdjustReorders(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			base := time.Now()
			a, _ := k.AlarmSet("tick", base.Add(10*time.Millisecond), "a")
			b, _ := k.AlarmSet("tick", base.Add(20*time.Millisecond), "b")
			k.AlarmSet("tick", base.Add(30*time.Millisecond), "c")
			if when, err := k.AlarmAdjust(a, 25*time.Millisecond); err != nil || !when.Equal(base.Add(35*time.Millisecond)) {
				t.Errorf("AlarmAdjust = %v, %v; want base+35ms", when, err)
			}
			if _, err := k.DelayAdjust(b, 50*time.Millisecond); err != nil {
				t.Errorf("DelayAdjust = %v", err)
			}
			return nil
		},
		"tick": func(e *kernel.Event) any { tr.Add("%v", e.Arg(0)); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "c", "a", "b")
}

// TestAlarmClearsOnlyItsSession checks that alarm(name) removes the
// active session's alarms of that name, however they were set, before it
// sets its own (if given a time), and leaves another session's alarms of
// the same name alone.
func TestAlarmClearsOnlyItsSession(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Delay("ring", time.Millisecond, "other session"); return nil },
		"ring":   func(e *kernel.Event) any { tr.Add("ring %v", e.Arg(0)); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			id, _ := k.DelaySet("ring", time.Millisecond, "set")
			k.DelayAdd("ring", time.Millisecond, "added")
			k.AlarmAdd("ring", time.Now(), "alarm added")
			k.Alarm("ring", time.Time{})
			if _, err := k.AlarmRemove(id); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("AlarmRemove of a cleared alarm = %v, want ESRCH", err)
			}
			k.AlarmAdd("ring", time.Now(), "added again")
			if err := k.Alarm("ring", time.Now().Add(-time.Hour), "alarm"); err != nil {
				t.Errorf("Alarm = %v", err)
			}
			return nil
		},
		"ring": func(e *kernel.Event) any { tr.Add("ring %v", e.Arg(0)); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "ring alarm", "ring other session")
}
