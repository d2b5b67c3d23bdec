package regression_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestNeyukiDetach mirrors POE's t/90_regression/neyuki_detach.t: a child
// that detaches itself outside _start makes its parent hear _child lose
// before the child hears _parent, in sequence with everything else.
func TestNeyukiDetach(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start":  func(e *kernel.Event) any { tr.Add("parent starts"); e.Kernel.Yield("parent"); return nil },
		"_parent": func(e *kernel.Event) any { t.Error("parent received _parent"); return nil },
		"_child": func(e *kernel.Event) any {
			tr.Add("parent _child %v", e.Arg(0))
			return nil
		},
		"done": func(e *kernel.Event) any { return nil },
		"parent": func(e *kernel.Event) any {
			tr.Add("parent spawns child")
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { tr.Add("child starts"); e.Kernel.Yield("child"); return nil },
				"_parent": func(e *kernel.Event) any {
					tr.Add("child _parent, new parent is kernel: %v", e.Arg(1).(*kernel.Session).IsKernel())
					return nil
				},
				"_child": func(e *kernel.Event) any { t.Error("child received _child"); return nil },
				"child": func(e *kernel.Event) any {
					tr.Add("child detaches")
					e.Kernel.DetachMyself()
					e.Kernel.Yield("done")
					return nil
				},
				"done": func(e *kernel.Event) any { return nil },
			}})
			e.Kernel.Yield("done")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"parent starts", "parent spawns child", "child starts", "parent _child create",
		"child detaches", "parent _child lose", "child _parent, new parent is kernel: true",
	)
}
