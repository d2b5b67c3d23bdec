// Package regression_test ports the kernel cases of POE's t/90_regression.
package regression_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

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

func newKernel(t testing.TB, opts ...kernel.Option) *kernel.Kernel {
	t.Helper()
	k := kernel.MustNew(opts...)
	t.Cleanup(func() { k.Close() })
	return k
}

type trail []string

func (tr *trail) add(format string, args ...any) { *tr = append(*tr, fmt.Sprintf(format, args...)) }

func (tr trail) expect(t testing.TB, want ...string) {
	t.Helper()
	if got, w := strings.Join(tr, ", "), strings.Join(want, ", "); got != w {
		t.Errorf("events\n got: %s\nwant: %s", got, w)
	}
}
