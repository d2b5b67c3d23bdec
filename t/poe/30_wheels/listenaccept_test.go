package wheels_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
	"github.com/poe-go/poe/t/poe/poetest"
)

// listenUnix makes a unix stream socket listening in a fresh directory and
// returns it and its path; the test owns it until a wheel takes it.
func listenUnix(t testing.TB, name string) (int, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	return listenUnixAt(t, path), path
}

// listenUnixAt makes a unix stream socket listening at path.
func listenUnixAt(t testing.TB, path string) int {
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 8); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	return fd
}

// dialUnix connects to a unix listener and closes the client when the
// test ends. A unix connect is queued on the listener when it returns, so
// the listener is readable from then on.
func dialUnix(t testing.TB, path string) int {
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	return fd
}

// acceptor is what ListenAccept and SocketFactory share: pausing and
// resuming accept.
type acceptor interface {
	PauseAccept()
	ResumeAccept()
	Close()
}

// TestPauseAccept holds PauseAccept and ResumeAccept: connections made
// while a wheel is paused wait in the backlog and are all accepted after
// ResumeAccept, the sequence Perl POE 1.370 gives for SocketFactory's
// pause_accept. POE 1.370's ListenAccept has no such methods; this port's
// mirror SocketFactory's. Unlike POE 1.370, whose SocketFactory event
// method selects the socket again and so resumes accepting, renaming the
// events of a paused wheel leaves it paused.
//
// A second, unpaused wheel is the witness that the loop looked at the
// paused one's socket: its connection was made last, and unix connects
// are queued when they return, so once it is accepted the paused wheel's
// connections were there to take.
func TestPauseAccept(t *testing.T) {
	cases := []struct {
		name string
		// listen makes a wheel accepting on a unix socket at path with
		// "paused_acc" as its accept event.
		listen func(e *kernel.Event, t *testing.T, path string) acceptor
		// whilePaused runs after PauseAccept, before the connections.
		whilePaused func(t *testing.T, w acceptor)
	}{
		{"ListenAccept accepts what waited once resumed", listenAcceptOn, nil},
		{"SocketFactory accepts what waited once resumed", socketFactoryOn, nil},
		{"SocketFactory stays paused when its events are renamed", socketFactoryOn,
			func(t *testing.T, w acceptor) {
				if err := w.(*wheel.SocketFactory).Event("SuccessEvent", "paused_acc"); err != nil {
					t.Error(err)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			dir := t.TempDir()
			ppath, wpath := filepath.Join(dir, "paused"), filepath.Join(dir, "witness")
			var paused acceptor
			var witness *wheel.ListenAccept
			var got []string
			accepted := 0
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					paused = c.listen(e, t, ppath)
					witness = listenAcceptOn(e, t, wpath).(*wheel.ListenAccept)
					witness.Event("AcceptEvent", "witness_acc")
					paused.PauseAccept()
					if c.whilePaused != nil {
						c.whilePaused(t, paused)
					}
					dialUnix(t, ppath)
					dialUnix(t, ppath)
					dialUnix(t, wpath)
					return nil
				},
				"witness_acc": func(e *kernel.Event) any {
					got = append(got, "witness accepted")
					unix.Close(e.ArgInt(0))
					witness.Close()
					e.Kernel.Yield("resume")
					return nil
				},
				"resume": func(e *kernel.Event) any {
					got = append(got, "resumed")
					paused.ResumeAccept()
					return nil
				},
				"paused_acc": func(e *kernel.Event) any {
					got = append(got, "paused accepted")
					unix.Close(e.ArgInt(0))
					if accepted++; accepted == 2 {
						paused.Close()
					}
					return nil
				},
				"failed": func(e *kernel.Event) any {
					t.Errorf("FailureEvent %v", e.Args)
					paused.Close()
					witness.Close()
					return nil
				},
			})
			want := []string{"witness accepted", "resumed", "paused accepted", "paused accepted"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("events %q, want %q", got, want)
			}
		})
	}
}

func listenAcceptOn(e *kernel.Event, t *testing.T, path string) acceptor {
	w, err := wheel.NewListenAccept(e, wheel.ListenAcceptOptions{Handle: listenUnixAt(t, path), AcceptEvent: "paused_acc"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func socketFactoryOn(e *kernel.Event, t *testing.T, path string) acceptor {
	w, err := wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{SocketDomain: unix.AF_UNIX, BindAddress: path,
		SuccessEvent: "paused_acc", FailureEvent: "failed"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestListenAcceptEvent holds ListenAccept's event method as POE 1.370's:
// a renamed AcceptEvent or ErrorEvent takes the next connection or
// failure, an empty AcceptEvent is refused and the old one kept (POE
// ignores an undef AcceptEvent, with a warning), and unknown names or an
// odd argument count are errors.
func TestListenAcceptEvent(t *testing.T) {
	checkFds(t)
	lfd, path := listenUnix(t, "sock")
	var w *wheel.ListenAccept
	var got []string
	var restore func()
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			if w, err = wheel.NewListenAccept(e, wheel.ListenAcceptOptions{Handle: lfd, AcceptEvent: "acc", ErrorEvent: "err"}); err != nil {
				t.Fatal(err)
			}
			checkEventRefused(t, w, []string{"AcceptEvent"}, []string{"InputEvent", "x"})
			dialUnix(t, path)
			dialUnix(t, path)
			return nil
		},
		"acc": func(e *kernel.Event) any {
			got = append(got, "acc")
			unix.Close(e.ArgInt(0))
			if len(got) > 1 {
				t.Error("the old AcceptEvent took a second connection")
				w.Close()
				return nil
			}
			if err := w.Event("AcceptEvent", "acc2", "ErrorEvent", "err2"); err != nil {
				t.Error(err)
			}
			if err := w.Event("AcceptEvent", ""); err == nil {
				t.Error(`Event("AcceptEvent", "") gave no error`)
			}
			// Out of descriptors, the next accept fails with EMFILE.
			restore = poetest.LowerFdLimit(t, 0)
			return nil
		},
		"acc2": func(e *kernel.Event) any {
			got = append(got, "acc2")
			unix.Close(e.ArgInt(0))
			w.Close()
			return nil
		},
		"err": func(e *kernel.Event) any {
			t.Errorf("the old ErrorEvent got %v", e.Args)
			restore()
			w.Close()
			return nil
		},
		"err2": func(e *kernel.Event) any {
			restore()
			got = append(got, "err2 "+e.ArgString(0)+" "+syscall.Errno(e.ArgInt(1)).Error())
			if e.ArgString(2) == "" || e.Arg(3) != w.ID() {
				t.Errorf("ErrorEvent %v, want accept, errno, text, wheel ID", e.Args)
			}
			return nil
		},
		"_default": func(e *kernel.Event) any {
			if name := e.ArgString(0); !strings.HasPrefix(name, "_") {
				t.Errorf("unexpected event %q %v", name, e.Arg(1))
				w.Close()
			}
			return nil
		},
	})
	want := []string{"acc", "err2 accept " + syscall.EMFILE.Error(), "acc2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}
