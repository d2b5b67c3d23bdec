package resources_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// counter is a session object whose handlers have names of their own, for
// ObjectStates to map, beside methods that are not handlers.
type counter struct {
	tr *trail
	n  int
}

func (c *counter) Begin(e *kernel.Event) any {
	c.tr.Add("Begin")
	e.Kernel.Yield("tick")
	e.Kernel.Yield("tick")
	e.Kernel.Yield("Extra")
	return nil
}

func (c *counter) OnTick(e *kernel.Event) any { c.n++; c.tr.Add("tick %d", c.n); return nil }

func (c *counter) End(e *kernel.Event) any { c.tr.Add("End after %d", c.n); return nil }

// Extra is a handler that no mapping names.
func (c *counter) Extra(e *kernel.Event) any { c.tr.Add("Extra"); return nil }

// Stop would be _stop if every method were bound.
func (c *counter) Stop(e *kernel.Event) any { c.tr.Add("Stop"); return nil }

// Count has the wrong signature for a handler.
func (c *counter) Count(e *kernel.Event) int { return c.n }

// hidden has a handler's signature but is unexported.
func (c *counter) hidden(e *kernel.Event) any { return nil }

// TestObjectStatesMapped checks object_states with a map of state names
// to method names: only the mapped methods become states, each under its
// state name, called on the object itself; inline states win over them.
func TestObjectStatesMapped(t *testing.T) {
	k := newKernel(t)
	var tr trail
	obj := &counter{tr: &tr}
	s := k.Create(kernel.Session{
		Object:       obj,
		ObjectStates: map[string]string{"_start": "Begin", "tick": "OnTick", "_stop": "End", "_default": "OnTick"},
		States: kernel.States{
			"_default": func(e *kernel.Event) any { tr.Add("inline _default %s", e.Arg(0)); return nil },
		},
	})
	if s == nil {
		t.Fatal("Create = nil")
	}
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "Begin", "tick 1", "tick 2", "inline _default Extra", "End after 2")
}

// TestObjectStatesRefused checks that a mapping POE would croak on (the
// object cannot do the method) refuses the session: Create logs it and
// returns nil without running _start. A Go method cannot do it when it is
// missing, unexported, or not a handler.
func TestObjectStatesRefused(t *testing.T) {
	cases := []struct {
		name, method string
	}{
		{"a missing method refuses the session", "Missing"},
		{"an unexported method refuses the session", "hidden"},
		{"a method with another signature refuses the session", "Count"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newKernel(t)
			var log bytes.Buffer
			k.SetLogOutput(&log)
			var tr trail
			s := k.Create(kernel.Session{
				Object:       &counter{tr: &tr},
				ObjectStates: map[string]string{"_start": "Begin", "x": c.method},
			})
			if s != nil {
				t.Errorf("Create = %v, want nil", s)
			}
			if !strings.Contains(log.String(), c.method) {
				t.Errorf("log %q does not name %s", log.String(), c.method)
			}
			if err := run(t, k); err != nil {
				t.Fatal(err)
			}
			tr.Expect(t)
		})
	}
}

// TestObjectStatesUnmapped checks the binding of every method: exported
// handler methods become states of their names (Stop also _stop), and
// methods with another signature or unexported ones do not.
func TestObjectStatesUnmapped(t *testing.T) {
	k := newKernel(t)
	var tr trail
	obj := &counter{tr: &tr}
	k.Create(kernel.Session{
		Object: obj,
		States: kernel.States{
			"_start": func(e *kernel.Event) any {
				for _, state := range []string{"OnTick", "Extra", "Count", "hidden"} {
					e.Kernel.Yield(state)
				}
				return nil
			},
			"_default": func(e *kernel.Event) any { tr.Add("_default %s", e.Arg(0)); return nil },
		},
	})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "tick 1", "Extra", "_default Count", "_default hidden", "Stop")
}
