package resources_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestSessionIDs mirrors POE's t/20_resources/00_base/sids.pm and
// POE-SEMANTICS 1: the first user session is 1, IDs increase and are never
// reused, an ID resolves to its session while it lives, and the kernel's
// own session is 0.
func TestSessionIDs(t *testing.T) {
	k := newKernel(t)
	var ids []int
	start := func(e *kernel.Event) any { ids = append(ids, e.Session.ID()); return nil }
	first := k.Create(kernel.Session{States: kernel.States{"_start": start}})
	t.Run("the first session is 1 and resolves", func(t *testing.T) {
		if first.ID() != 1 || k.SessionByID(1) != first {
			t.Errorf("first session %d resolves to %v", first.ID(), k.SessionByID(1))
		}
	})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	t.Run("a stopped session's ID no longer resolves", func(t *testing.T) {
		if s := k.SessionByID(1); s != nil {
			t.Errorf("SessionByID(1) = %v after it stopped", s)
		}
	})
	k.Create(kernel.Session{States: kernel.States{"_start": start}})
	k.Create(kernel.Session{States: kernel.States{"_start": start}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	t.Run("IDs are never reused", func(t *testing.T) {
		if len(ids) != 3 || ids[0] != 1 || ids[1] != 2 || ids[2] != 3 {
			t.Errorf("IDs = %v, want [1 2 3]", ids)
		}
	})
	t.Run("the kernel's session is 0", func(t *testing.T) {
		if k.Session().ID() != 0 || !k.Session().IsKernel() {
			t.Errorf("kernel session %v", k.Session())
		}
	})
}

// TestKernelID checks the shape of POE's kernel ID:
// host-hexseconds-hexpid-hexsequence, different for each kernel.
func TestKernelID(t *testing.T) {
	a, b := newKernel(t), newKernel(t)
	pid := strconv.FormatInt(int64(os.Getpid()), 16)
	re := regexp.MustCompile(`^.+-[0-9a-f]{8}-0*` + pid + `-[0-9a-f]{8}$`)
	for _, k := range []*kernel.Kernel{a, b} {
		if !re.MatchString(k.ID()) {
			t.Errorf("kernel ID %q does not match %s", k.ID(), re)
		}
	}
	if a.ID() == b.ID() {
		t.Errorf("two kernels share the ID %q", a.ID())
	}
}
