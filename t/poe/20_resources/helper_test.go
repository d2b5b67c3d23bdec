// Package resources_test ports POE's t/20_resources/00_base tests: the
// kernel's bookkeeping of aliases, events, extra references, file handles,
// sessions, session IDs and signals, checked through the public API and
// SessionCounts instead of POE's private _data_* calls.
package resources_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/t/poe/poetest"
)

// The shared helpers, under the names these tests use.
var (
	run       = poetest.Run
	newKernel = poetest.NewKernel
)

type trail = poetest.Trail

// counts returns dest's bookkeeping, failing the test when it does not resolve.
func counts(t testing.TB, k *kernel.Kernel, dest any) kernel.Counts {
	t.Helper()
	c, err := k.SessionCounts(dest)
	if err != nil {
		t.Errorf("SessionCounts(%v): %v", dest, err)
	}
	return c
}

// nop is a handler that does nothing.
func nop(*kernel.Event) any { return nil }
