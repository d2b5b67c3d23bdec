package base_test

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestAssertRetval mirrors POE's t/10_units/03_base/12_assert_retval.t:
// every documented failure returns its errno. POE's undefined arguments
// are Go's empty state names and zero times; calls that need a session
// fail with ESRCH outside one.
func TestAssertRetval(t *testing.T) {
	k := newKernel(t)
	k.Run() // as POE's test does: a run with no sessions returns at once
	cases := []struct {
		name string
		err  error
		want syscall.Errno
	}{
		{"alarm with an empty state is EINVAL", k.Alarm("", time.Now()), syscall.EINVAL},
		{"alarm_add with an empty state is EINVAL", k.AlarmAdd("", time.Now()), syscall.EINVAL},
		{"delay with an empty state is EINVAL", k.Delay("", 0), syscall.EINVAL},
		{"delay_add with an empty state is EINVAL", k.DelayAdd("", 0), syscall.EINVAL},
		{"alarm_add with a zero time is EINVAL", k.AlarmAdd("moo", time.Time{}), syscall.EINVAL},
		{"refcount_increment of an unknown session is ESRCH", second(k.RefcountIncrement(999, "x")), syscall.ESRCH},
		{"refcount_decrement of an unknown session is ESRCH", second(k.RefcountDecrement(999, "x")), syscall.ESRCH},
		{"state outside a session is ESRCH", k.State("moo", func(*kernel.Event) any { return nil }), syscall.ESRCH},
		{"alarm_set with an empty state is EINVAL", second(k.AlarmSet("", time.Now())), syscall.EINVAL},
		{"alarm_set with a zero time is EINVAL", second(k.AlarmSet("moo", time.Time{})), syscall.EINVAL},
		{"alarm_remove of an unknown ID is ESRCH", second(k.AlarmRemove(0)), syscall.ESRCH},
		{"alarm_adjust of an unknown ID is ESRCH", second(k.AlarmAdjust(0, time.Second)), syscall.ESRCH},
		{"delay_set outside a session is ESRCH", second(k.DelaySet("moo", time.Second)), syscall.ESRCH},
		{"delay_adjust of an unknown ID is ESRCH", second(k.DelayAdjust(0, time.Second)), syscall.ESRCH},
		{"alias_remove of an unknown alias is ESRCH", k.AliasRemove("narf"), syscall.ESRCH},
		{"post to an unknown session is ESRCH", k.Post(999, "x"), syscall.ESRCH},
		{"signal to an unknown session is ESRCH", k.Signal(999, "USR1"), syscall.ESRCH},
		{"detach_myself outside a session is EPERM", k.DetachMyself(), syscall.EPERM},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !errors.Is(c.err, c.want) {
				t.Errorf("got %v, want %v", c.err, c.want)
			}
			var kerr *kernel.Error
			if !errors.As(c.err, &kerr) || kerr.Errno != c.want {
				t.Errorf("error %v does not carry errno %v", c.err, c.want)
			}
		})
	}
	t.Run("an unknown session ID does not resolve", func(t *testing.T) {
		if s := k.SessionByID(999); s != nil {
			t.Errorf("SessionByID(999) = %v", s)
		}
	})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("moo") },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			t.Run("an alias in use by another session is EEXIST", func(t *testing.T) {
				if err := e.Kernel.AliasSet("moo"); !errors.Is(err, syscall.EEXIST) {
					t.Errorf("AliasSet = %v, want EEXIST", err)
				}
			})
			t.Run("an alias of another session cannot be removed: EPERM", func(t *testing.T) {
				if err := e.Kernel.AliasRemove("moo"); !errors.Is(err, syscall.EPERM) {
					t.Errorf("AliasRemove = %v, want EPERM", err)
				}
			})
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

func second[T any](_ T, err error) error { return err }
