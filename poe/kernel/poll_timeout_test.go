package kernel

import (
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// lateness runs a kernel that waits n times for a delay of d, watching a
// pipe that never becomes readable, and returns how late each delay
// fired.
func lateness(t *testing.T, spin, d time.Duration, n int) []time.Duration {
	t.Helper()
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(p[0], true)
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	k := MustNew(WithSpin(spin))
	defer k.Close()
	var late []time.Duration
	var set time.Time
	k.Create(Session{States: States{
		"_start": func(e *Event) any {
			e.Kernel.SelectRead(p[0], "never")
			set = time.Now()
			e.Kernel.Delay("due", d)
			return nil
		},
		"never": func(e *Event) any { return nil },
		"due": func(e *Event) any {
			late = append(late, time.Since(set)-d)
			if len(late) == n {
				e.Kernel.SelectRead(p[0], "")
				return nil
			}
			set = time.Now()
			e.Kernel.Delay("due", d)
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		t.Fatal(err)
	}
	return late
}

// TestDelayWithinSpin: a timer that falls due while the loop spins fires
// then, not when the spin ends (150 ms late here), nor after a further
// wait as long as the delay was (50 ms late).
func TestDelayWithinSpin(t *testing.T) {
	late := lateness(t, 200*time.Millisecond, 50*time.Millisecond, 3)
	if worst := slices.Max(late); worst > 25*time.Millisecond {
		t.Errorf("a 50 ms delay fired %v late inside a 200 ms spin", worst)
	}
}

// TestDelayFinerThanMilliseconds: the loop blocks for the time left until
// a timer, to the microsecond where the system allows, where a timeout in
// whole milliseconds would wake it 700 us after a 300 us delay.
func TestDelayFinerThanMilliseconds(t *testing.T) {
	if why := coarseTimeouts(t); why != "" {
		t.Skip(why)
	}
	late := lateness(t, 0, 300*time.Microsecond, 21)
	slices.Sort(late)
	// 650 us leaves room for a busy machine and still fails the rounding,
	// which makes every one of these delays at least 700 us late.
	if median := late[len(late)/2]; median > 650*time.Microsecond {
		t.Errorf("300 us delays fired a median %v late; all: %v", median, late)
	}
}
