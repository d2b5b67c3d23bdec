// Package resources_test ports POE's t/20_resources/00_base tests: the
// kernel's bookkeeping of aliases, events, extra references, file handles,
// sessions, session IDs and signals, checked through the public API and
// SessionCounts instead of POE's private _data_* calls.
package resources_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// limit bounds every kernel run, so a kernel that never finishes fails the
// test instead of hanging it.
const limit = 10 * time.Second

// run runs k until Run returns, failing the test after limit.
func run(t testing.TB, k *kernel.Kernel) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- k.Run() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("kernel still running after %v", limit)
		return nil
	}
}

// newKernel returns a kernel closed at the end of the test.
func newKernel(t testing.TB, opts ...kernel.Option) *kernel.Kernel {
	t.Helper()
	k := kernel.MustNew(opts...)
	t.Cleanup(func() { k.Close() })
	return k
}

// trail records what handlers saw, in order. Handlers run on the loop
// goroutine and the test reads it after Run returned, so it needs no lock.
type trail []string

func (tr *trail) add(format string, args ...any) { *tr = append(*tr, fmt.Sprintf(format, args...)) }

func (tr trail) String() string { return strings.Join(tr, ", ") }

// expect fails the test when the trail is not want.
func (tr trail) expect(t testing.TB, want ...string) {
	t.Helper()
	if got, w := tr.String(), strings.Join(want, ", "); got != w {
		t.Errorf("events\n got: %s\nwant: %s", got, w)
	}
}

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
