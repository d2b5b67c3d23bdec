package base_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestKernel mirrors POE's t/10_units/03_base/14_kernel.t and the kernel
// basics of 15_kernel_internal.t: a kernel is created, has its own
// session, runs with no sessions, runs again after its sessions are gone,
// and names itself.
func TestKernel(t *testing.T) {
	t.Run("New returns a usable kernel", func(t *testing.T) {
		k, err := kernel.New(kernel.WithName("Server"))
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		if k.Name() != "Server" || k.Session() == nil || !k.Session().IsKernel() {
			t.Errorf("kernel %q with session %v", k.Name(), k.Session())
		}
	})
	t.Run("Run with no sessions returns at once", func(t *testing.T) {
		k := newKernel(t)
		if err := run(t, k); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Run can run again after every session is gone", func(t *testing.T) {
		k := newKernel(t)
		var runs int
		for i := 0; i < 2; i++ {
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.Yield("once"); return nil },
				"once":   func(e *kernel.Event) any { runs++; return nil },
			}})
			if err := run(t, k); err != nil {
				t.Fatal(err)
			}
		}
		if runs != 2 {
			t.Errorf("ran %d times, want 2", runs)
		}
	})
	t.Run("RunOneTimeslice reports whether sessions remain", func(t *testing.T) {
		k := newKernel(t)
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any { e.Kernel.Yield("once"); return nil },
			"once":   func(e *kernel.Event) any { return nil },
		}})
		n := 0
		for k.RunOneTimeslice() {
			if n++; n > 10 {
				t.Fatal("a session with one event needed more than 10 timeslices")
			}
		}
		if k.RunOneTimeslice() {
			t.Error("RunOneTimeslice with no sessions returned true")
		}
	})
	t.Run("the active session outside handlers is the kernel", func(t *testing.T) {
		k := newKernel(t)
		if !k.GetActiveSession().IsKernel() || k.GetActiveEvent() != "" {
			t.Errorf("active %v %q", k.GetActiveSession(), k.GetActiveEvent())
		}
	})
}
