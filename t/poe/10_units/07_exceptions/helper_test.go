// Package exceptions_test ports POE's t/10_units/07_exceptions: handler
// panics become DIE signals.
package exceptions_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/t/poe/poetest"
)

// The shared helpers, under the names these tests use.
var (
	run       = poetest.Run
	newKernel = poetest.NewKernel
)

type trail = poetest.Trail

// startPanicking is the _start handler of a session whose boom state
// panics: it watches DIE with state d, yields boom and sets a delay for
// its later state 20 ms on.
func startPanicking(e *kernel.Event) any {
	e.Kernel.Sig("DIE", "d")
	e.Kernel.Yield("boom")
	e.Kernel.Delay("later", 20*time.Millisecond)
	return nil
}

// errorStr is the error_str of the DIE signal e delivers.
func errorStr(e *kernel.Event) any { return e.Arg(1).(map[string]any)["error_str"] }

// panicValues lists the panic values in Run's error, first to last along
// the PanicError chain; anything else in the chain fails the test.
func panicValues(t *testing.T, err error) []string {
	t.Helper()
	var got []string
	for err != nil {
		perr, ok := err.(*kernel.PanicError)
		if !ok {
			t.Fatalf("Run's error chain holds %v, want only PanicErrors", err)
		}
		got = append([]string{fmt.Sprint(perr.Value)}, got...)
		err = perr.Previous
	}
	return got
}
