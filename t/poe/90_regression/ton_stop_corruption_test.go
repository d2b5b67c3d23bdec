package regression_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
)

// TestTonStopCorruption mirrors POE's t/90_regression/ton-stop-corruption.t:
// Stop called from a select handler runs _stop exactly once.
func TestTonStopCorruption(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	unix.Close(p[1]) // EOF: readable at once
	k := newKernel(t)
	stops, reads := 0, 0
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.SelectRead(p[0], "readable"); return nil },
		"readable": func(e *kernel.Event) any {
			reads++
			e.Kernel.SelectRead(p[0], "")
			e.Kernel.Stop()
			return nil
		},
		"_stop": func(e *kernel.Event) any { stops++; return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if reads != 1 || stops != 1 {
		t.Errorf("readable ran %d times and _stop %d times, want 1 and 1", reads, stops)
	}
}
