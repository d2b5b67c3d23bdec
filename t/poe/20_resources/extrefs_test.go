package resources_test

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestExtrefs mirrors POE's t/20_resources/00_base/extrefs.pm: extra
// references are counted per tag, each tag with a non-zero count adds one
// to the session's reference count, a tag decremented to zero is removed,
// and unknown sessions and tags are errors (POE-SEMANTICS 9).
func TestExtrefs(t *testing.T) {
	k := newKernel(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k, me := e.Kernel, e.Session.ID()
			base := counts(t, k, me).Refcount
			inc := func(tag string, want int) {
				t.Helper()
				if n, err := k.RefcountIncrement(me, tag); n != want || err != nil {
					t.Errorf("RefcountIncrement(%q) = %d, %v; want %d", tag, n, err, want)
				}
			}
			dec := func(tag string, want int) {
				t.Helper()
				if n, err := k.RefcountDecrement(me, tag); n != want || err != nil {
					t.Errorf("RefcountDecrement(%q) = %d, %v; want %d", tag, n, err, want)
				}
			}
			refs := func(tags, refcount int) {
				t.Helper()
				if c := counts(t, k, me); c.Extrefs != tags || c.Refcount != base+refcount {
					t.Errorf("extrefs %d refcount %d, want %d and %d", c.Extrefs, c.Refcount, tags, base+refcount)
				}
			}
			t.Run("a tag counts up and adds one reference", func(t *testing.T) {
				inc("tag-1", 1)
				inc("tag-1", 2)
				refs(1, 1)
			})
			t.Run("a second tag adds a second reference", func(t *testing.T) {
				inc("tag-2", 1)
				inc("tag-2", 2)
				refs(2, 2)
			})
			t.Run("decrementing a tag to zero removes it", func(t *testing.T) {
				dec("tag-1", 1)
				refs(2, 2)
				dec("tag-1", 0)
				refs(1, 1)
			})
			t.Run("decrementing an unknown tag fails with ESRCH", func(t *testing.T) {
				if _, err := k.RefcountDecrement(me, "tag-1"); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("RefcountDecrement = %v, want ESRCH", err)
				}
				refs(1, 1)
			})
			t.Run("an unknown session fails with ESRCH", func(t *testing.T) {
				if _, err := k.RefcountIncrement(999, "x"); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("RefcountIncrement = %v, want ESRCH", err)
				}
				if _, err := k.RefcountDecrement(999, "x"); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("RefcountDecrement = %v, want ESRCH", err)
				}
			})
			// tag-2 still holds the session; a timer releases it.
			k.Delay("release", time.Millisecond)
			return nil
		},
		"release": func(e *kernel.Event) any {
			e.Kernel.RefcountDecrement(e.Session, "tag-2")
			e.Kernel.RefcountDecrement(e.Session, "tag-2")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestExtrefKeepsKernelBusy checks POE-SEMANTICS 2.5: unlike an alias, an
// extra reference keeps the kernel from going idle, so a session held only
// by one is not reaped by IDLE and ZOMBIE.
func TestExtrefKeepsKernelBusy(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.RefcountIncrement(e.Session, "held")
			e.Kernel.Sig("IDLE", "idle")
			e.Kernel.Sig("ZOMBIE", "idle")
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.Delay("later", 20*time.Millisecond); return nil },
				"later": func(e *kernel.Event) any {
					tr.Add("timer")
					e.Kernel.Post(e.Kernel.AliasResolve(1), "release")
					return nil
				},
			}})
			return nil
		},
		"idle":    func(e *kernel.Event) any { tr.Add("%s", e.Arg(0)); return nil },
		"release": func(e *kernel.Event) any { e.Kernel.RefcountDecrement(e.Session, "held"); return nil },
		"_stop":   func(e *kernel.Event) any { tr.Add("stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "timer", "stop")
}
