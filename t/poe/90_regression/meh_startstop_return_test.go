package regression_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

type fubar struct{}

func (fubar) Start(*kernel.Event) any { return "_start" }
func (fubar) Stop(*kernel.Event) any  { return "_stop" }

// TestMehStartStopReturn mirrors POE's t/90_regression/meh-startstop-return.t:
// the parent's _child gets the return values of an object session's
// _start (create) and _stop (lose).
func TestMehStartStopReturn(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Create(kernel.Session{Object: fubar{}}); return nil },
		"_child": func(e *kernel.Event) any { tr.Add("%v %v", e.Arg(0), e.Arg(2)); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "create _start", "lose _stop")
}
