package resources_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestRunOneTimesliceRunsOneStep checks that RunOneTimeslice, called from
// a handler, dispatches the events due in one step of the loop and
// returns: an event those handlers yield waits for the next step, after
// the caller has gone on (sequence taken from Perl POE 1.370's
// run_one_timeslice: a, back, b).
func TestRunOneTimesliceRunsOneStep(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
		"go": func(e *kernel.Event) any {
			e.Kernel.Yield("a")
			e.Kernel.RunOneTimeslice()
			tr.Add("back")
			return nil
		},
		"a":     func(e *kernel.Event) any { tr.Add("a"); e.Kernel.Yield("b"); return nil },
		"b":     func(e *kernel.Event) any { tr.Add("b"); return nil },
		"_stop": func(e *kernel.Event) any { tr.Add("stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "a", "back", "b", "stop")
}
