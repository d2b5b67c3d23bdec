package resources_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestExtrefsGC mirrors POE's t/20_resources/00_base/extrefs_gc.pm:
// decrementing an extra reference inside _start does not collect the
// session before its queued work runs, and a session held only by an
// extra reference is stopped as soon as the holder releases it from its
// _stop, before the kernel goes idle.
func TestExtrefsGC(t *testing.T) {
	k := newKernel(t)
	var tr trail
	bystander := k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.RefcountIncrement(e.Session.ID(), "just hold me")
			return nil
		},
		"_stop": func(e *kernel.Event) any { tr.Add("bystander stops"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("IDLE", "got_sigidle")
			e.Kernel.AliasSet("stayin_alive")
			return nil
		},
		"got_sigidle": func(e *kernel.Event) any { tr.Add("IDLE"); return nil },
		"_stop":       func(e *kernel.Event) any { tr.Add("idle watcher stops"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.RefcountIncrement(e.Session.ID(), "just hold me")
			e.Kernel.RefcountDecrement(e.Session.ID(), "just hold me")
			e.Kernel.Yield("do_something")
			return nil
		},
		"do_something": func(e *kernel.Event) any { tr.Add("refcount session runs"); return nil },
		"_stop": func(e *kernel.Event) any {
			tr.Add("refcount session stops")
			e.Kernel.RefcountDecrement(bystander.ID(), "just hold me")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "refcount session runs", "refcount session stops", "bystander stops", "IDLE", "idle watcher stops")
}
