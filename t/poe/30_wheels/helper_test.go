// Package wheels_test ports the wheel cases of POE's t/30_loops test set
// (wheel_readwrite, wheel_sf_tcp, wheel_sf_unix, wheel_sf_ipv6,
// wheel_accept, wheel_tail, wheel_run) and the wheel regressions of
// t/90_regression.
package wheels_test

import (
	"os"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
)

// limit bounds every kernel run: a wheel that never reports fails the test
// instead of hanging it.
const limit = 10 * time.Second

// run creates a session with states and runs a fresh kernel until every
// session is gone, failing the test on a timeout or an unhandled panic.
func run(t testing.TB, states kernel.States) *kernel.Kernel {
	t.Helper()
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: states})
	var timedOut atomic.Bool
	timer := time.AfterFunc(limit, func() {
		timedOut.Store(true)
		k.Signal(k.Session(), "KILL")
	})
	err := k.Run()
	timer.Stop()
	if timedOut.Load() {
		t.Fatal("the kernel did not finish in time")
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// checkFds fails the test if it ends with more open descriptors than it
// started with.
func checkFds(t testing.TB) {
	t.Helper()
	before := openFds()
	t.Cleanup(func() {
		if after := openFds(); after > before {
			t.Errorf("descriptors leaked: %d open before, %d after", before, after)
		}
	})
}

func openFds() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0 // not linux: not counted
	}
	return len(ents)
}

func socketpair(t testing.TB) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fds[0], fds[1]
}

// writeAll writes p to a blocking or nonblocking fd, waiting as needed.
func writeAll(t testing.TB, fd int, p []byte) {
	t.Helper()
	for len(p) > 0 {
		n, err := unix.Write(fd, p)
		if err == unix.EAGAIN {
			time.Sleep(time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
}

func timeout() <-chan time.Time { return time.After(limit) }
