// Package wheels_test ports the wheel cases of POE's t/30_loops test set
// (wheel_readwrite, wheel_sf_tcp, wheel_sf_unix, wheel_sf_ipv6,
// wheel_accept, wheel_tail, wheel_run) and the wheel regressions of
// t/90_regression.
package wheels_test

import (
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// limit bounds every kernel run: a wheel that never reports fails the test
// instead of hanging it.
const limit = 10 * time.Second

// run creates a session with states and runs a fresh kernel with
// runKernel.
func run(t testing.TB, states kernel.States) *kernel.Kernel {
	t.Helper()
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: states})
	runKernel(t, k)
	return k
}

// runKernel runs k on the test's goroutine until every session is gone,
// failing the test on a timeout or an unhandled panic. The caller makes
// the sessions and closes k.
func runKernel(t testing.TB, k *kernel.Kernel) {
	t.Helper()
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

// wheelPair checks the test for leaked descriptors and opens a socketpair:
// a for a wheel to own, b for the test's end, closed when the test ends.
func wheelPair(t testing.TB) (a, b int) {
	t.Helper()
	checkFds(t)
	a, b = socketpair(t)
	t.Cleanup(func() { unix.Close(b) })
	return a, b
}

// pipe makes a pipe, its read end first; the caller closes both.
func pipe(t testing.TB) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	return p[0], p[1]
}

// listenLoopback makes a TCP listener on an ephemeral loopback port,
// closed when the test ends, and returns it and its port.
func listenLoopback(t testing.TB) (net.Listener, int) {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, l.Addr().(*net.TCPAddr).Port
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// eventer is what every wheel's event method takes.
type eventer interface{ Event(pairs ...string) error }

// checkEventRefused fails the test for each argument list in bad that w's
// Event accepts.
func checkEventRefused(t testing.TB, w eventer, bad ...[]string) {
	t.Helper()
	for _, args := range bad {
		if err := w.Event(args...); err == nil {
			t.Errorf("Event(%q) gave no error", args)
		}
	}
}

// newRun makes a Run wheel with o in e's session and has SigChild report
// its child's exit as "chld", failing the test if the wheel is refused.
func newRun(t testing.TB, e *kernel.Event, o wheel.RunOptions) *wheel.Run {
	t.Helper()
	w, err := wheel.NewRun(e, o)
	if err != nil {
		t.Fatal(err)
	}
	e.Kernel.SigChild(w.PID(), "chld")
	return w
}

// socketFactoryFailure runs a SocketFactory made with o, which must fail,
// and returns the arguments of its FailureEvent and the wheel's ID. The
// test fails if the wheel succeeds or calls FailureEvent from inside its
// constructor instead of posting it.
func socketFactoryFailure(t testing.TB, o wheel.SocketFactoryOptions) (args []any, id int) {
	t.Helper()
	var w *wheel.SocketFactory
	inNew := false
	o.SuccessEvent, o.FailureEvent = "ok", "fail"
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			inNew = true
			w, _ = wheel.NewSocketFactory(e, o)
			inNew = false
			return nil
		},
		"ok": func(e *kernel.Event) any { t.Error("succeeded"); unix.Close(e.ArgInt(0)); w.Close(); return nil },
		"fail": func(e *kernel.Event) any {
			if inNew {
				t.Error("FailureEvent was called, not posted")
			}
			args = append([]any(nil), e.Args...)
			w.Close()
			return nil
		},
	})
	return args, w.ID()
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
