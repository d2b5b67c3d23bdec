package regression_test

import (
	"errors"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestRT19908MerlynStop mirrors POE's t/90_regression/rt19908-merlyn-stop.t:
// a panic inside _stop is returned by Run once, and _stop runs once.
func TestRT19908MerlynStop(t *testing.T) {
	k := newKernel(t)
	stops := 0
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return nil },
		"_stop":  func(e *kernel.Event) any { stops++; panic("stop") },
	}})
	err := run(t, k)
	var perr *kernel.PanicError
	if !errors.As(err, &perr) || perr.Value != "stop" || perr.Previous != nil {
		t.Errorf("Run = %v, want the _stop panic alone", err)
	}
	if stops != 1 {
		t.Errorf("_stop ran %d times, want 1", stops)
	}
	if err := run(t, k); err != nil {
		t.Errorf("a second Run = %v, want nil: the exception is reported once", err)
	}
}
