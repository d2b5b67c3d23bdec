package wheels_test

import (
	"fmt"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestReadWriteEvent holds POE's event method: each event can be renamed
// or disabled at run time and the wheel uses the new state from then on.
func TestReadWriteEvent(t *testing.T) {
	t.Run("a renamed FlushedEvent fires under its new name", func(t *testing.T) {
		a, _ := wheelPair(t)
		var w *wheel.ReadWrite
		var tr []string
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, FlushedEvent: "old"})
				if err := w.Event("FlushedEvent", "new"); err != nil {
					t.Error(err)
				}
				w.Put("x")
				return nil
			},
			"old": func(e *kernel.Event) any { tr = append(tr, "old"); w.Close(); return nil },
			"new": func(e *kernel.Event) any { tr = append(tr, "new"); w.Close(); return nil },
		})
		if !reflect.DeepEqual(tr, []string{"new"}) {
			t.Errorf("events %q, want [new]", tr)
		}
	})
	t.Run("a disabled FlushedEvent does not fire", func(t *testing.T) {
		a, _ := wheelPair(t)
		var w *wheel.ReadWrite
		var tr []string
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, FlushedEvent: "flushed"})
				if err := w.Event("FlushedEvent", ""); err != nil {
					t.Error(err)
				}
				w.Put("x")
				e.Kernel.Yield("next")
				return nil
			},
			"next": func(e *kernel.Event) any { e.Kernel.Yield("done"); return nil },
			"done": func(e *kernel.Event) any {
				tr = append(tr, fmt.Sprint("queued ", w.GetDriverOutOctets()))
				w.Close()
				return nil
			},
			"flushed": func(e *kernel.Event) any { tr = append(tr, "flushed"); return nil },
		})
		if !reflect.DeepEqual(tr, []string{"queued 0"}) {
			t.Errorf("events %q, want [queued 0]", tr)
		}
	})
	t.Run("a renamed ErrorEvent receives the end of input", func(t *testing.T) {
		checkFds(t)
		a, b := socketpair(t)
		unix.Close(b)
		var w *wheel.ReadWrite
		var tr []string
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "in", ErrorEvent: "old"})
				if err := w.Event("ErrorEvent", "new"); err != nil {
					t.Error(err)
				}
				return nil
			},
			"in":  func(e *kernel.Event) any { return nil },
			"old": func(e *kernel.Event) any { tr = append(tr, "old"); w.Close(); return nil },
			"new": func(e *kernel.Event) any {
				tr = append(tr, fmt.Sprintf("new %v %v %q", e.Arg(0), e.Arg(1), e.Arg(2)))
				w.Close()
				return nil
			},
		})
		if !reflect.DeepEqual(tr, []string{`new read 0 ""`}) {
			t.Errorf("events %q", tr)
		}
	})
	t.Run("InputEvent switched off stops reading and switched on resumes it", func(t *testing.T) {
		// Perl POE 1.370 removes the read watcher on event(InputEvent =>
		// undef): what the peer writes meanwhile waits in the socket and
		// goes to the new InputEvent once one is given.
		checkFds(t)
		a, b := socketpair(t)
		var w *wheel.ReadWrite
		var tr []string
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "first", ErrorEvent: "err"})
				writeAll(t, b, []byte("one\r\n"))
				return nil
			},
			"first": func(e *kernel.Event) any {
				tr = append(tr, "first "+e.ArgString(0))
				if err := w.Event("InputEvent", ""); err != nil {
					t.Error(err)
				}
				writeAll(t, b, []byte("two\r\n"))
				e.Kernel.Yield("wait", 3)
				return nil
			},
			"wait": func(e *kernel.Event) any {
				// A few rounds with "two" readable and no InputEvent.
				if n := e.ArgInt(0); n > 0 {
					e.Kernel.Yield("wait", n-1)
					return nil
				}
				unread, err := unix.IoctlGetInt(a, unix.SIOCINQ)
				if err != nil {
					t.Error(err)
				}
				tr = append(tr, fmt.Sprintf("%d octets left in the socket", unread))
				if err := w.Event("InputEvent", "second"); err != nil {
					t.Error(err)
				}
				return nil
			},
			"second": func(e *kernel.Event) any { tr = append(tr, "second "+e.ArgString(0)); unix.Close(b); return nil },
			"err":    func(e *kernel.Event) any { tr = append(tr, "eof"); w.Close(); return nil },
		})
		if want := []string{"first one", "5 octets left in the socket", "second two", "eof"}; !reflect.DeepEqual(tr, want) {
			t.Errorf("events %q, want %q", tr, want)
		}
	})
	t.Run("InputEvent switched off in the middle of a read keeps the rest for the next InputEvent", func(t *testing.T) {
		// Perl POE 1.370 goes on calling the undefined event with the
		// rest of the block ("b" and "c" reach _default with an empty
		// name). The wheel holds them instead, and they must reach the
		// InputEvent given next even if the peer sends nothing more.
		a, b := wheelPair(t)
		var w *wheel.ReadWrite
		var tr []string
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "first", ErrorEvent: "err"})
				writeAll(t, b, []byte("a\r\nb\r\nc\r\n"))
				return nil
			},
			"first": func(e *kernel.Event) any {
				tr = append(tr, "first "+e.ArgString(0))
				w.Event("InputEvent", "")
				e.Kernel.Yield("on")
				return nil
			},
			"on": func(e *kernel.Event) any { w.Event("InputEvent", "second"); return nil },
			"second": func(e *kernel.Event) any {
				tr = append(tr, "second "+e.ArgString(0))
				if e.ArgString(0) == "c" {
					w.Close()
				}
				return nil
			},
			"err": func(e *kernel.Event) any { tr = append(tr, "err"); w.Close(); return nil },
		})
		if want := []string{"first a", "second b", "second c"}; !reflect.DeepEqual(tr, want) {
			t.Errorf("events %q, want %q", tr, want)
		}
	})
	t.Run("InputEvent switched off and on by one record's handler sends the rest after that handler returns", func(t *testing.T) {
		// Perl POE 1.370 printed: first a, second b.
		a, b := wheelPair(t)
		var w *wheel.ReadWrite
		var tr []string
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "first", ErrorEvent: "err"})
				writeAll(t, b, []byte("a\r\nb\r\n"))
				return nil
			},
			"first": func(e *kernel.Event) any {
				w.Event("InputEvent", "")
				w.Event("InputEvent", "second")
				tr = append(tr, "first "+e.ArgString(0))
				return nil
			},
			"second": func(e *kernel.Event) any { tr = append(tr, "second "+e.ArgString(0)); w.Close(); return nil },
			"err":    func(e *kernel.Event) any { tr = append(tr, "err"); w.Close(); return nil },
		})
		if want := []string{"first a", "second b"}; !reflect.DeepEqual(tr, want) {
			t.Errorf("events %q, want %q", tr, want)
		}
	})
	t.Run("an unknown name or an odd argument list is an error", func(t *testing.T) {
		a, _ := wheelPair(t)
		var errs []error
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ := wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a})
				errs = append(errs, w.Event("OutputEvent", "x"), w.Event("InputEvent"))
				w.Close()
				return nil
			},
		})
		for i, err := range errs {
			if err == nil {
				t.Errorf("call %d accepted", i)
			}
		}
	})
}
