package regression_test

import (
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// watchThenForget is a session that watches sig by name and ends the watch
// at once: what a session that stops caring about a signal leaves behind.
func watchThenForget(sig string) kernel.Session {
	return kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig(sig, "never")
			e.Kernel.Sig(sig, "")
			return nil
		},
		"never": func(*kernel.Event) any { return nil },
	}}
}

// TestEndedWatchKeepsProgramNotify checks that a kernel that stops
// watching an operating-system signal takes away its own registration
// only: a signal.Notify made elsewhere in the program still receives the
// signal. SIGWINCH is ignored by default, so a lost registration shows as
// a signal that never arrives rather than a process that dies.
func TestEndedWatchKeepsProgramNotify(t *testing.T) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	defer signal.Stop(ch)

	k := newKernel(t)
	k.Create(watchThenForget("WINCH"))
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
		t.Fatalf("kill: %v", err)
	}
	select {
	case <-ch:
	case <-time.After(limit / 2):
		t.Fatal("the program's own signal.Notify no longer receives SIGWINCH once a kernel stopped watching it")
	}
}

// TestTwoKernelsWatchOneSignal checks that two kernels in one program
// watch the same signal independently: the first ending its watch leaves
// the second's in place.
func TestTwoKernelsWatchOneSignal(t *testing.T) {
	second := newKernel(t)
	var tr trail
	watcher := second.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("WINCH", "winch")
			e.Kernel.Delay("timeout", limit/2)
			return nil
		},
		"send": func(e *kernel.Event) any {
			if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
				t.Errorf("kill: %v", err)
			}
			return nil
		},
		"winch": func(e *kernel.Event) any {
			tr.Add("got %v", e.Arg(0))
			e.Kernel.Delay("timeout", -1)
			e.Kernel.Sig("WINCH", "")
			return nil
		},
		"timeout": func(e *kernel.Event) any { tr.Add("timeout"); return nil },
	}})

	first := newKernel(t)
	first.Create(watchThenForget("WINCH"))
	if err := run(t, first); err != nil {
		t.Fatal(err)
	}

	second.Post(watcher, "send")
	if err := run(t, second); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "got WINCH")
}
