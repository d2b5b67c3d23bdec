package regression_test

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestSigChildRealProcess checks sig_child with a real child process
// (POE-SEMANTICS 5.1, and the CHLD side of rt47966-sigchld.t): the watcher
// gets ARG0 CHLD, ARG1 the pid and ARG2 the wait status, a CHLD signal
// with the same pid and status reaches the kernel's sessions once, and the
// watch keeps the session alive until then.
func TestSigChildRealProcess(t *testing.T) {
	k := newKernel(t)
	var tr trail
	var pid int
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("CHLD", "chld_signal")
			// The child exits when its stdin closes, after the watch is set,
			// so its SIGCHLD arrives while the kernel waits for it.
			r, w, err := os.Pipe()
			if err != nil {
				t.Errorf("pipe: %v", err)
				return nil
			}
			defer w.Close()
			p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", "read x; exit 3"},
				&os.ProcAttr{Files: []*os.File{r, nil, nil}})
			r.Close()
			if err != nil {
				t.Errorf("StartProcess: %v", err)
				return nil
			}
			pid = p.Pid
			p.Release()
			e.Kernel.SigChild(pid, "chld", "extra")
			e.Kernel.Delay("timeout", limit/2)
			return nil
		},
		"chld": func(e *kernel.Event) any {
			ws := syscall.WaitStatus(e.ArgInt(2))
			tr.Add("watcher %v pid=%v exit=%d %v", e.Arg(0), e.ArgInt(1) == pid, ws.ExitStatus(), e.Arg(3))
			e.Kernel.Delay("timeout", -1)
			return nil
		},
		"chld_signal": func(e *kernel.Event) any {
			ws := syscall.WaitStatus(e.ArgInt(2))
			tr.Add("signal %v pid=%v exit=%d", e.Arg(0), e.ArgInt(1) == pid, ws.ExitStatus())
			return nil
		},
		"timeout": func(e *kernel.Event) any { tr.Add("timeout"); return nil },
	}})
	start := time.Now()
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > limit/2 {
		t.Errorf("took %v", time.Since(start))
	}
	tr.Expect(t, "watcher CHLD pid=true exit=3 extra", "signal CHLD pid=true exit=3")
}

// TestOSSignal checks that an operating-system signal reaches a session
// watching it as a signal to the kernel (POE-SEMANTICS 5.2).
func TestOSSignal(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("USR1", "usr1")
			e.Kernel.Delay("timeout", limit/2)
			e.Kernel.Yield("send")
			return nil
		},
		"send": func(e *kernel.Event) any {
			if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
				t.Errorf("kill: %v", err)
			}
			return nil
		},
		"usr1": func(e *kernel.Event) any {
			tr.Add("got %v from kernel: %v", e.Arg(0), e.Sender.IsKernel())
			e.Kernel.Delay("timeout", -1)
			e.Kernel.Sig("USR1", "")
			return nil
		},
		"timeout": func(e *kernel.Event) any { tr.Add("timeout"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "got USR1 from kernel: true")
}
