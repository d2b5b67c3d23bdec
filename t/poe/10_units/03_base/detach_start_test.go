package base_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestDetachStart mirrors POE's t/10_units/03_base/17_detach_start.t: a
// child that detaches itself inside its _start gets _parent with the
// kernel as new parent at once, and its old parent hears neither _child
// create nor _child lose for it.
func TestDetachStart(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("Parent")
			tr.Add("_start Parent")
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.AliasSet("Child"); tr.Add("_start Child"); return nil },
				"_stop":  func(e *kernel.Event) any { tr.Add("_stop Child"); return nil },
			}})
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					e.Kernel.AliasSet("Detached")
					tr.Add("_start Detached")
					if err := e.Kernel.DetachMyself(); err != nil {
						t.Errorf("DetachMyself = %v", err)
					}
					return nil
				},
				"_parent": func(e *kernel.Event) any {
					tr.Add("_parent Detached, new parent is kernel: %v", e.Arg(1).(*kernel.Session).IsKernel())
					return nil
				},
				"_stop": func(e *kernel.Event) any { tr.Add("_stop"); return nil },
			}})
			return nil
		},
		"_child": func(e *kernel.Event) any {
			tr.Add("_child %v %v", e.Arg(0), e.Kernel.AliasList(e.Arg(1).(*kernel.Session)))
			return nil
		},
		"_stop": func(e *kernel.Event) any { tr.Add("_stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"_start Parent",
		"_start Child",
		"_child create [Child]",
		"_start Detached",
		"_parent Detached, new parent is kernel: true",
		"_stop Child",
		"_child lose [Child]",
		"_stop", // Parent and Detached, in either order
		"_stop",
	)
}
