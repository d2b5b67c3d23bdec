package regression_test

import (
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestGrinnzDieInDie mirrors POE's t/90_regression/grinnz-die-in-die.t: a
// panic inside the DIE handler is not caught again; Run returns an error
// holding both the original panic and the handler's.
func TestGrinnzDieInDie(t *testing.T) {
	k := newKernel(t)
	var event any
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("DIE", "sig_DIE")
			panic("original error")
		},
		"sig_DIE": func(e *kernel.Event) any {
			event = e.Arg(1).(map[string]any)["event"]
			panic("error in error handler")
		},
	}})
	err := run(t, k)
	if event != "_start" {
		t.Errorf("DIE handler saw event %v, want _start", event)
	}
	for _, want := range []string{"original error", "error in error handler"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run = %v, want it to contain %q", err, want)
		}
	}
}
