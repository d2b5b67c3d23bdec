package regression_test

import (
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestLeoloAlarmAdjust mirrors POE's t/90_regression/leolo-alarm-adjust.t:
// alarm_adjust and delay_adjust really move timers earlier.
func TestLeoloAlarmAdjust(t *testing.T) {
	k := newKernel(t)
	var tr trail
	var alarm, delay kernel.AlarmID
	var started time.Time
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			started = time.Now()
			alarm, _ = e.Kernel.AlarmSet("the_alarm", started.Add(10*time.Second))
			delay, _ = e.Kernel.DelaySet("the_delay", 10*time.Second)
			e.Kernel.Yield("adjust_them")
			return nil
		},
		"adjust_them": func(e *kernel.Event) any {
			when, err := e.Kernel.DelayAdjust(delay, 20*time.Millisecond)
			if err != nil || time.Until(when) > 20*time.Millisecond {
				t.Errorf("DelayAdjust = %v, %v", when, err)
			}
			when, err = e.Kernel.AlarmAdjust(alarm, -10*time.Second+10*time.Millisecond)
			if err != nil || !when.Equal(started.Add(10*time.Millisecond)) {
				t.Errorf("AlarmAdjust = %v, %v; want %v", when, err, started.Add(10*time.Millisecond))
			}
			return nil
		},
		"the_alarm": func(e *kernel.Event) any { tr.Add("alarm"); return nil },
		"the_delay": func(e *kernel.Event) any { tr.Add("delay"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(started); took > 5*time.Second {
		t.Errorf("adjusted timers took %v", took)
	}
	tr.Expect(t, "alarm", "delay")
}
