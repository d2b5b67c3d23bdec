// Package poetest holds what the ported POE test suites share: a kernel
// closed with the test, a bounded Run, and a trail of what handlers saw.
package poetest

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
)

// Limit bounds every kernel run, so a kernel that never finishes fails the
// test instead of hanging it.
const Limit = 10 * time.Second

// Run runs k until Run returns, failing the test after Limit.
func Run(t testing.TB, k *kernel.Kernel) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- k.Run() }()
	select {
	case err := <-done:
		return err
	case <-time.After(Limit):
		t.Fatalf("kernel still running after %v", Limit)
		return nil
	}
}

// NewKernel returns a kernel closed at the end of the test.
func NewKernel(t testing.TB, opts ...kernel.Option) *kernel.Kernel {
	t.Helper()
	k := kernel.MustNew(opts...)
	t.Cleanup(func() { k.Close() })
	return k
}

// Trail records what handlers saw, in order. Handlers run on the loop
// goroutine and the test reads it after Run returned, so it needs no lock.
type Trail []string

// Add appends one formatted entry.
func (tr *Trail) Add(format string, args ...any) { *tr = append(*tr, fmt.Sprintf(format, args...)) }

// String joins the entries with commas.
func (tr Trail) String() string { return strings.Join(tr, ", ") }

// Expect fails the test when the trail is not want.
func (tr Trail) Expect(t testing.TB, want ...string) {
	t.Helper()
	if got, w := tr.String(), strings.Join(want, ", "); got != w {
		t.Errorf("events\n got: %s\nwant: %s", got, w)
	}
}

// LowerFdLimit sets the soft limit on descriptors so that exactly free
// descriptor numbers are left for the process, and returns the function
// that restores the old limit (also run when the test ends). It changes
// the whole process: a test using it must not run in parallel.
func LowerFdLimit(t testing.TB, free int) (restore func()) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	limit := 0
	for n := 0; ; limit++ {
		if _, err := unix.FcntlInt(uintptr(limit), unix.F_GETFD, 0); err == unix.EBADF {
			if n == free {
				break
			}
			n++
		}
	}
	lowered := old
	setLimit(&lowered.Cur, limit)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Skipf("cannot lower the descriptor limit: %v", err)
	}
	done := false
	restore = func() {
		if !done {
			done = true
			syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
		}
	}
	t.Cleanup(restore)
	return restore
}

// setLimit sets an rlimit field, an int64 on some systems and a uint64 on
// others.
func setLimit[T int64 | uint64](field *T, n int) { *field = T(n) }
