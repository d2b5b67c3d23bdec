package resources_test

import (
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
)

// socketpair returns a connected pair of unix stream sockets closed at the
// end of the test.
func socketpair(t testing.TB) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// TestFilehandles mirrors POE's t/20_resources/00_base/filehandles.pm and
// POE-SEMANTICS 8: a watcher adds one to the session's count per handle
// whatever its modes, pause and resume keep the count, their return values
// say whether the handle was watched, and removing every mode releases it.
func TestFilehandles(t *testing.T) {
	k := newKernel(t)
	a, b := socketpair(t)
	c, _ := socketpair(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			handles := func(want int) {
				t.Helper()
				if got := counts(t, k, e.Session); got.Handles != want || got.Refcount < want {
					t.Errorf("handles %d refcount %d, want %d handles", got.Handles, got.Refcount, want)
				}
			}
			t.Run("one handle in three modes counts once", func(t *testing.T) {
				k.SelectRead(a, "r")
				k.SelectWrite(a, "w")
				k.SelectExpedite(a, "x")
				handles(1)
			})
			t.Run("a second handle counts again", func(t *testing.T) {
				k.SelectRead(c, "r")
				handles(2)
			})
			t.Run("pause and resume report a watched mode", func(t *testing.T) {
				for name, ok := range map[string]bool{
					"pause read":   k.SelectPauseRead(a),
					"resume read":  k.SelectResumeRead(a),
					"pause write":  k.SelectPauseWrite(a),
					"resume write": k.SelectResumeWrite(a),
				} {
					if !ok {
						t.Errorf("%s of a watched handle = false", name)
					}
				}
			})
			t.Run("pause and resume of an unwatched mode fail", func(t *testing.T) {
				if k.SelectPauseWrite(c) || k.SelectResumeWrite(c) || k.SelectPauseRead(b) || k.SelectResumeRead(b) {
					t.Error("pause or resume of an unwatched mode returned true")
				}
			})
			t.Run("a paused watcher still holds its session", func(t *testing.T) {
				k.SelectPauseRead(c)
				handles(2)
			})
			t.Run("removing some modes keeps the handle counted", func(t *testing.T) {
				k.SelectWrite(a, "")
				k.SelectExpedite(a, "")
				handles(2)
			})
			t.Run("removing the last mode releases the handle", func(t *testing.T) {
				k.SelectRead(a, "")
				k.SelectRead(c, "")
				handles(0)
			})
			t.Run("removing an unwatched mode does nothing", func(t *testing.T) {
				if err := k.SelectRead(a, ""); err != nil {
					t.Errorf("SelectRead(unwatched, \"\") = %v", err)
				}
				handles(0)
			})
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestSelectDispatch checks how select events are dispatched
// (POE-SEMANTICS 8): ARG0 the descriptor, ARG1 the mode, then the watcher's
// arguments, SENDER the session itself; readiness is level triggered; and
// registering a watched mode again keeps the first state and arguments.
func TestSelectDispatch(t *testing.T) {
	k := newKernel(t)
	a, b := socketpair(t)
	var tr trail
	reads := 0
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.SelectRead(a, "first", "x1")
			e.Kernel.SelectRead(a, "second", "x2")
			unix.Write(b, []byte("ping"))
			return nil
		},
		"first": func(e *kernel.Event) any {
			reads++
			if reads == 1 {
				tr.Add("first fd=%v mode=%v arg=%v self=%v", e.Arg(0) == a, e.Arg(1), e.Arg(2), e.Sender == e.Session)
				return nil // not drained: level triggered, so it fires again
			}
			var buf [16]byte
			n, _ := unix.Read(a, buf[:])
			tr.Add("drained %q", buf[:n])
			e.Kernel.SelectRead(a, "")
			e.Kernel.SelectWrite(b, "writable", "w")
			return nil
		},
		"second": func(e *kernel.Event) any { tr.Add("second"); return nil },
		"writable": func(e *kernel.Event) any {
			tr.Add("writable mode=%v arg=%v", e.Arg(1), e.Arg(2))
			e.Kernel.SelectWrite(b, "")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "first fd=true mode=0 arg=x1 self=true", `drained "ping"`, "writable mode=1 arg=w")
}

// TestSelectReadBeforeWrite checks step 4 of POE's timeslice: the read
// watchers of every ready handle run before any write watcher.
func TestSelectReadBeforeWrite(t *testing.T) {
	k := newKernel(t)
	a, b := socketpair(t)
	c, d := socketpair(t)
	unix.Write(b, []byte("x"))
	unix.Write(d, []byte("y"))
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			for _, fd := range []int{a, c} {
				e.Kernel.SelectWrite(fd, "ready", "write")
				e.Kernel.SelectRead(fd, "ready", "read")
			}
			return nil
		},
		"ready": func(e *kernel.Event) any {
			tr.Add("%v", e.Arg(2))
			fd := e.Arg(0).(int)
			if e.Arg(1) == kernel.ModeRead {
				e.Kernel.SelectRead(fd, "")
			} else {
				e.Kernel.SelectWrite(fd, "")
			}
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "read", "read", "write", "write")
}

// TestSelectConflicts checks that a descriptor watched in one mode by one
// session cannot be taken by another, and that a watcher keeps its session
// alive and the kernel busy until it is removed.
func TestSelectConflicts(t *testing.T) {
	k := newKernel(t)
	a, b := socketpair(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.SelectRead(a, "readable")
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					if err := e.Kernel.SelectRead(a, "mine"); !errors.Is(err, syscall.EEXIST) {
						t.Errorf("SelectRead of another session's fd = %v, want EEXIST", err)
					}
					e.Kernel.Yield("write")
					return nil
				},
				"write": func(e *kernel.Event) any { unix.Write(b, []byte("z")); return nil },
				"mine":  func(e *kernel.Event) any { tr.Add("stolen"); return nil },
			}})
			return nil
		},
		"readable": func(e *kernel.Event) any {
			tr.Add("readable")
			e.Kernel.SelectRead(a, "")
			return nil
		},
		"_child": nop,
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "readable")
}
