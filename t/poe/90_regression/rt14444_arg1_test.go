package regression_test

import (
	"reflect"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestRT14444Arg1 mirrors POE's t/90_regression/rt14444-arg1.t: _default's
// ARG1 holds the original arguments and survives being passed on by
// reference and by copy.
func TestRT14444Arg1(t *testing.T) {
	k := newKernel(t)
	want := []any{"some", "random", "args"}
	seen := map[string][]any{}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("some_random_state", want...); return nil },
		"_default": func(e *kernel.Event) any {
			args := e.Arg(1).([]any)
			if e.Arg(0) == "some_random_state" {
				seen["default"] = args
			}
			e.Kernel.Yield("check_ref", args)
			e.Kernel.Yield("check_copy", append([]any(nil), args...))
			return nil
		},
		"check_ref":  func(e *kernel.Event) any { seen["ref"] = e.Arg(0).([]any); return nil },
		"check_copy": func(e *kernel.Event) any { seen["copy"] = e.Arg(0).([]any); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	for _, how := range []string{"default", "ref", "copy"} {
		t.Run("args are preserved via "+how, func(t *testing.T) {
			if !reflect.DeepEqual(seen[how], want) {
				t.Errorf("got %v, want %v", seen[how], want)
			}
		})
	}
}
