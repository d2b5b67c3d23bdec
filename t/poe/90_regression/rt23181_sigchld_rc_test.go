package regression_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestRT23181SigchldRC mirrors POE's t/90_regression/rt23181-sigchld-rc.t:
// sig_child(pid) without a prior watch does not corrupt the session's
// reference count, so it still stops normally.
func TestRT23181SigchldRC(t *testing.T) {
	k := newKernel(t)
	stopped := false
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("test"); return nil },
		"test": func(e *kernel.Event) any {
			if err := e.Kernel.SigChild(12, ""); err != nil {
				t.Errorf("SigChild(12, \"\") = %v", err)
			}
			return nil
		},
		"_stop": func(e *kernel.Event) any { stopped = true; return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if !stopped {
		t.Error("the session never stopped")
	}
}
