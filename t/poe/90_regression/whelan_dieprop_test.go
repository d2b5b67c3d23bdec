package regression_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestWhelanDieprop mirrors POE's t/90_regression/whelan-dieprop.t: a
// child's DIE reaches the child's handler, then its parent's, and the
// parent's SigHandled keeps both alive (Run returns no error).
func TestWhelanDieprop(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("DIE", "parent_exception")
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					e.Kernel.Sig("DIE", "child_exception")
					e.Kernel.Yield("throw_exception")
					return nil
				},
				"throw_exception": func(e *kernel.Event) any { panic("goodbye sweet world") },
				"child_exception": func(e *kernel.Event) any { tr.Add("child got exception"); return nil },
				"_stop":           func(e *kernel.Event) any { tr.Add("child stops"); return nil },
			}})
			return nil
		},
		"parent_exception": func(e *kernel.Event) any {
			tr.Add("parent got exception")
			e.Kernel.SigHandled()
			return nil
		},
		"_child": func(e *kernel.Event) any { return nil },
		"_stop":  func(e *kernel.Event) any { tr.Add("parent stops"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatalf("Run = %v, want nil: the parent handled the DIE", err)
	}
	tr.Expect(t, "child got exception", "parent got exception", "child stops", "parent stops")
}
