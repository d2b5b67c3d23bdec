package resources_test

import (
	"errors"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/t/poe/poetest"
)

// TestKilledSessionReleasesItsHandles checks what POE's _data_ses_stop
// does with a stopping session's file handles (POE-SEMANTICS 2.4 and 8):
// every watcher of a session killed while it watches two handles in
// several modes goes, another session's watcher of one of those handles
// stays, keeps its count and still fires, and nothing of the dead
// session's runs when its handles become ready. The sequence was taken
// from Perl POE 1.370.
func TestKilledSessionReleasesItsHandles(t *testing.T) {
	k := newKernel(t)
	x, xPeer := socketpair(t)
	y, yPeer := socketpair(t)
	var tr trail
	dead := func(name string) kernel.Handler {
		return func(e *kernel.Event) any { tr.Add("A %s", name); return nil }
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			k.AliasSet("A")
			k.SelectRead(x, "in")
			k.SelectExpedite(x, "oob")
			k.SelectRead(y, "in")
			k.SelectWrite(y, "out")
			k.SelectPauseWrite(y)
			tr.Add("A handles=%d", counts(t, k, e.Session).Handles)
			return nil
		},
		"in":    dead("in"),
		"oob":   dead("oob"),
		"out":   dead("out"),
		"_stop": func(e *kernel.Event) any { tr.Add("A _stop"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			k.AliasSet("B")
			k.SelectWrite(x, "out", "bw")
			k.SelectPauseWrite(x)
			tr.Add("B handles=%d", counts(t, k, e.Session).Handles)
			return nil
		},
		"resume": func(e *kernel.Event) any {
			tr.Add("B resume %v", e.Kernel.SelectResumeWrite(x))
			return nil
		},
		"out": func(e *kernel.Event) any {
			tr.Add("B out mode=%v arg=%v", e.Arg(1), e.Arg(2))
			e.Kernel.SelectWrite(x, "")
			// Taking the mode the dead session read in must work: its
			// watcher is gone from the kernel and from the poller.
			if err := e.Kernel.SelectRead(x, "in"); err != nil {
				t.Errorf("SelectRead of the dead session's handle: %v", err)
			}
			return nil
		},
		"in": func(e *kernel.Event) any {
			var buf [16]byte
			n, _ := unix.Read(x, buf[:])
			tr.Add("B in %q", buf[:n])
			e.Kernel.SelectRead(x, "")
			return nil
		},
		"_stop": func(e *kernel.Event) any { tr.Add("B _stop"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("kill"); return nil },
		"kill": func(e *kernel.Event) any {
			e.Kernel.Signal("A", "KILL")
			e.Kernel.Yield("after")
			return nil
		},
		"after": func(e *kernel.Event) any {
			k := e.Kernel
			tr.Add("after: A resolves %v, B handles=%d", k.AliasResolve("A") != nil, counts(t, k, "B").Handles)
			unix.Write(xPeer, []byte("x-data"))
			unix.Write(yPeer, []byte("y-data"))
			k.Post("B", "resume")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"A handles=2",
		"B handles=1",
		"A _stop",
		"after: A resolves false, B handles=1",
		"B resume true",
		"B out mode=1 arg=bw",
		`B in "x-data"`,
		"B _stop",
	)
}

// TestReleasedHandleIsNotPolled checks that the kernel stops waiting on a
// descriptor whose watcher went with its session: a killed session's
// readable, undrained handle, which another session still watches in a
// paused mode, must leave the loop asleep until the next alarm instead of
// waking it again and again.
func TestReleasedHandleIsNotPolled(t *testing.T) {
	k := newKernel(t)
	x, xPeer := socketpair(t)
	unix.Write(xPeer, []byte("never read"))
	reads := 0
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.SelectRead(x, "in"); return nil },
		"in": func(e *kernel.Event) any {
			reads++
			e.Kernel.Signal(e.Session, "KILL") // leaves x readable
			return nil
		},
	}})
	done := false
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.SelectWrite(x, "out")
			e.Kernel.SelectPauseWrite(x)
			e.Kernel.Delay("done", 30*time.Millisecond)
			return nil
		},
		"out": func(e *kernel.Event) any { t.Error("a paused write watcher fired"); return nil },
		"done": func(e *kernel.Event) any {
			done = true
			e.Kernel.SelectWrite(x, "")
			return nil
		},
	}})
	// Asleep, the loop needs a few timeslices for the 30ms; polling the
	// readable descriptor, it would run one per poll, thousands.
	const most = 50
	counted := make(chan int, 1)
	go func() {
		n := 0
		for k.RunOneTimeslice() && n < 10000 {
			n++
		}
		counted <- n
	}()
	var slices int
	select {
	case slices = <-counted:
	case <-time.After(poetest.Limit):
		t.Fatalf("kernel still running after %v", poetest.Limit)
	}
	t.Logf("%d timeslices", slices)
	if slices > most {
		t.Errorf("%d timeslices while only an alarm was pending, want at most %d: the released descriptor is still polled", slices, most)
	}
	if !done || reads != 1 {
		t.Errorf("alarm ran %v, the killed session's watcher ran %d times, want once", done, reads)
	}
}

// TestStopReleasesEveryHandle checks POE's stop with sessions that watch
// one handle in different modes: Stop, called from a select handler while
// other watchers are ready in the same round, runs no further watcher,
// stops every session once and releases every watcher, so that a session
// created after Run returned can watch the handle again and is called
// for it. The sequence was taken from Perl POE 1.370 (which also runs
// exactly one of the ready read watchers, in an order of its own).
func TestStopReleasesEveryHandle(t *testing.T) {
	k := newKernel(t)
	x, xPeer := socketpair(t)
	y, yPeer := socketpair(t)
	unix.Write(xPeer, []byte("x"))
	unix.Write(yPeer, []byte("y"))
	var tr trail
	ran := map[string]int{}
	stops := map[string]int{}
	for _, w := range []struct {
		name string
		fd   int
		mode kernel.Mode
	}{{"A", x, kernel.ModeRead}, {"B", y, kernel.ModeRead}, {"C", x, kernel.ModeWrite}} {
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				if w.mode == kernel.ModeRead {
					e.Kernel.SelectRead(w.fd, "ev")
				} else {
					e.Kernel.SelectWrite(w.fd, "ev")
				}
				return nil
			},
			"ev": func(e *kernel.Event) any {
				ran[w.name]++
				e.Kernel.Stop()
				return nil
			},
			"_stop": func(e *kernel.Event) any { stops[w.name]++; return nil },
		}})
	}
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || ran["C"] != 0 {
		t.Errorf("watchers run: %v, want one read watcher once", ran)
	}
	if stops["A"] != 1 || stops["B"] != 1 || stops["C"] != 1 {
		t.Errorf("_stop runs: %v, want each session once", stops)
	}

	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			for _, fd := range []int{x, y} {
				if err := e.Kernel.SelectRead(fd, "in"); err != nil {
					t.Errorf("SelectRead after Stop: %v", err)
				}
			}
			if err := e.Kernel.SelectWrite(x, "out"); err != nil {
				t.Errorf("SelectWrite after Stop: %v", err)
			}
			return nil
		},
		"in": func(e *kernel.Event) any {
			fd := e.Arg(0).(int)
			var buf [4]byte
			n, _ := unix.Read(fd, buf[:])
			tr.Add("in %q", buf[:n])
			e.Kernel.SelectRead(fd, "")
			return nil
		},
		"out": func(e *kernel.Event) any {
			tr.Add("out")
			e.Kernel.SelectWrite(x, "")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	// The order between the two reads is the poller's.
	if got := tr.String(); got != `in "x", in "y", out` && got != `in "y", in "x", out` {
		t.Errorf("events after Stop: %s", got)
	}
}

// TestSelectBadDescriptor checks the error of a select call on a
// descriptor that is not open: POE's select_read leaves $! at EBADF for
// a closed handle (verified with Perl POE 1.370), and the Go call returns
// it as a *kernel.Error naming the call and the descriptor. Nothing is
// watched: the session is not held, and the kernel runs out.
func TestSelectBadDescriptor(t *testing.T) {
	k := newKernel(t) // first: its descriptors must not take the closed one's number
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[1])
	unix.Close(fds[0])
	closed := fds[0]
	calls := []struct {
		op   string
		call func(k *kernel.Kernel) error
	}{
		{"select_read", func(k *kernel.Kernel) error { return k.SelectRead(closed, "x") }},
		{"select_write", func(k *kernel.Kernel) error { return k.SelectWrite(closed, "x") }},
		{"select_expedite", func(k *kernel.Kernel) error { return k.SelectExpedite(closed, "x") }},
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			for _, c := range calls {
				t.Run(c.op+" of a closed descriptor fails with EBADF", func(t *testing.T) {
					err := c.call(e.Kernel)
					var ke *kernel.Error
					if !errors.As(err, &ke) || ke.Op != c.op || ke.Arg != closed || ke.Errno != syscall.EBADF || !errors.Is(err, syscall.EBADF) {
						t.Errorf("err = %#v (%v), want a kernel.Error %s %d EBADF", err, err, c.op, closed)
					}
					if n := counts(t, e.Kernel, e.Session).Handles; n != 0 {
						t.Errorf("%d handles counted after the failure", n)
					}
				})
			}
			return nil
		},
		"x": func(e *kernel.Event) any { t.Error("a watcher of a closed descriptor fired"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestSelectRefusedDescriptor checks the error of a select call on a
// descriptor the poller cannot watch, a regular file under epoll (POE's
// select() takes one as always ready; kqueue does too): it is a
// *kernel.Error naming the call, the descriptor and the poller's errno,
// like every other failed kernel call, and nothing is left watched.
func TestSelectRefusedDescriptor(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only epoll refuses regular files")
	}
	f, err := os.CreateTemp(t.TempDir(), "plain")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	k := newKernel(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			err := e.Kernel.SelectRead(fd, "x")
			var ke *kernel.Error
			if !errors.As(err, &ke) || ke.Op != "select_read" || ke.Arg != fd || ke.Errno != syscall.EPERM {
				t.Errorf("err = %#v (%v), want a kernel.Error select_read %d EPERM", err, err, fd)
			}
			if n := counts(t, e.Kernel, e.Session).Handles; n != 0 {
				t.Errorf("%d handles counted after the failure", n)
			}
			return nil
		},
		"x": func(e *kernel.Event) any { t.Error("a refused watcher fired"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}
