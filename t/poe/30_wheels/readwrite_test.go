package wheels_test

import (
	"errors"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestReadWriteEcho mirrors POE's t/30_loops wheel_readwrite: lines put on
// one end of a socketpair are echoed by a wheel on the other end and read
// back in order, with the wheel ID as the last ARG.
func TestReadWriteEcho(t *testing.T) {
	checkFds(t)
	a, b := socketpair(t)
	var client, server *wheel.ReadWrite
	var got []string
	var flushed, srvFlushed int
	want := []string{"one", "two", "three", "four"}
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			server, err = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "srv_in", ErrorEvent: "srv_err", FlushedEvent: "srv_flushed"})
			if err != nil {
				t.Fatal(err)
			}
			client, err = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: b, InputEvent: "cli_in", FlushedEvent: "cli_flushed"})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range want {
				client.Put(l)
			}
			return nil
		},
		"srv_in": func(e *kernel.Event) any {
			if e.Arg(1) != server.ID() {
				t.Errorf("InputEvent ARG1 = %v, want wheel ID %d", e.Arg(1), server.ID())
			}
			server.Put(e.Arg(0))
			return nil
		},
		"srv_err":     func(e *kernel.Event) any { server.Close(); return nil },
		"srv_flushed": func(e *kernel.Event) any { srvFlushed++; return nil },
		"cli_flushed": func(e *kernel.Event) any {
			flushed++
			return nil
		},
		"cli_in": func(e *kernel.Event) any {
			got = append(got, e.ArgString(0))
			if len(got) == len(want) {
				client.Close() // the server sees EOF and closes too
			}
			return nil
		},
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("echoed %q, want %q", got, want)
	}
	if flushed != 1 {
		t.Errorf("FlushedEvent fired %d times for one round of puts, want 1", flushed)
	}
	if srvFlushed != 1 {
		t.Errorf("the server's FlushedEvent fired %d times for the replies to one read, want 1", srvFlushed)
	}
}

// TestReadWriteReplyLeavesAtOnce checks when a reply put by InputEvent is
// written: as soon as the records of its read have been delivered, before
// the loop reads the next descriptor that was ready at the same time, so
// that a request's answer does not wait for the rest of the round. Each
// FlushedEvent therefore follows its own wheel's input.
func TestReadWriteReplyLeavesAtOnce(t *testing.T) {
	checkFds(t)
	a1, b1 := socketpair(t)
	a2, b2 := socketpair(t)
	defer unix.Close(b1)
	defer unix.Close(b2)
	writeAll(t, b1, []byte("one\n"))
	writeAll(t, b2, []byte("two\n"))
	var tr []string
	wheels := map[int]*wheel.ReadWrite{}
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			for _, fd := range []int{a1, a2} {
				w, err := wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: fd, InputEvent: "in", FlushedEvent: "flushed"})
				if err != nil {
					t.Fatal(err)
				}
				wheels[w.ID()] = w
			}
			return nil
		},
		"in": func(e *kernel.Event) any {
			tr = append(tr, "in "+e.ArgString(0))
			wheels[e.ArgInt(1)].Put(e.ArgString(0))
			return nil
		},
		"flushed": func(e *kernel.Event) any {
			w := wheels[e.ArgInt(0)]
			tr = append(tr, "flushed")
			w.Close()
			return nil
		},
	})
	if want := []string{"in one", "flushed", "in two", "flushed"}; !reflect.DeepEqual(tr, want) {
		t.Errorf("events %q, want %q", tr, want)
	}
	for fd, want := range map[int]string{b1: "one\r\n", b2: "two\r\n"} {
		buf := make([]byte, 16)
		if n, err := unix.Read(fd, buf); err != nil || string(buf[:n]) != want {
			t.Errorf("read of the reply = %q, %v; want %q", buf[:n], err, want)
		}
	}
}

// TestReadWriteMarks checks POE's verified watermark order: put below the
// high mark returns false, crossing it returns true, then LowEvent and
// FlushedEvent fire while draining, and HighEvent does not.
func TestReadWriteMarks(t *testing.T) {
	a, _ := wheelPair(t)
	var w *wheel.ReadWrite
	var events []string
	var puts []bool
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{
				Handle: a, HighMark: 10, LowMark: 5,
				HighEvent: "high", LowEvent: "low", FlushedEvent: "flushed",
			})
			puts = append(puts, w.Put("abc"))      // 5 octets
			puts = append(puts, w.Put("abcdefgh")) // 15 octets
			return nil
		},
		"high":    func(e *kernel.Event) any { events = append(events, "high"); return nil },
		"low":     func(e *kernel.Event) any { events = append(events, "low"); return nil },
		"flushed": func(e *kernel.Event) any { events = append(events, "flushed"); w.Close(); return nil },
	})
	if !reflect.DeepEqual(puts, []bool{false, true}) {
		t.Errorf("Put returned %v, want [false true]", puts)
	}
	if !reflect.DeepEqual(events, []string{"low", "flushed"}) {
		t.Errorf("events %q, want [low flushed]", events)
	}
}

// TestReadWriteFilterSwitch mirrors POE's 99_filterchange through a wheel:
// a Line record followed, in the same read, by Reference frames; the
// handler of the line switches to Reference and the frames already
// buffered are delivered at once.
func TestReadWriteFilterSwitch(t *testing.T) {
	checkFds(t)
	a, b := socketpair(t)
	ref := filter.NewReference(filter.ReferenceOptions{})
	frames, err := ref.Put([]byte("switch\r\n"), map[string]any{"a": int64(1)}, []any{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	// The last frame arrives in two parts, after the switch.
	cut := len(frames) - 3
	writeAll(t, b, frames[:cut])
	var w *wheel.ReadWrite
	var got []any
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "in", ErrorEvent: "err"})
			return nil
		},
		"in": func(e *kernel.Event) any {
			got = append(got, e.Arg(0))
			if e.Arg(0) == "switch" {
				w.SetFilter(filter.NewReference(filter.ReferenceOptions{}))
				writeAll(t, b, frames[cut:])
			}
			if len(got) == 3 {
				unix.Close(b)
			}
			return nil
		},
		"err": func(e *kernel.Event) any { w.Close(); return nil },
	})
	want := []any{"switch", map[string]any{"a": int64(1)}, []any{"x", "y"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// TestReadWriteEOFAndErrors covers end of input (ErrorEvent "read", 0,
// ""), a peer closing in the middle of a record (the complete records
// arrive, the partial one stays pending), a filter error (reported, and
// the records after it still arrive), and a write to a closed peer.
func TestReadWriteEOFAndErrors(t *testing.T) {
	t.Run("a peer closing mid-record loses nothing received", func(t *testing.T) {
		checkFds(t)
		a, b := socketpair(t)
		writeAll(t, b, []byte("complete\r\npart"))
		unix.Close(b)
		var w *wheel.ReadWrite
		var got []string
		var errArgs []any
		var pending string
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "in", ErrorEvent: "err"})
				return nil
			},
			"in": func(e *kernel.Event) any { got = append(got, e.ArgString(0)); return nil },
			"err": func(e *kernel.Event) any {
				errArgs = append([]any(nil), e.Args...)
				pending = string(w.GetInputFilter().GetPending())
				var oe *wheel.OpError
				if !errors.As(w.LastError(), &oe) || !oe.EOF() {
					t.Errorf("LastError = %v, want an EOF OpError", w.LastError())
				}
				w.Close()
				return nil
			},
		})
		if !reflect.DeepEqual(got, []string{"complete"}) {
			t.Errorf("records %q", got)
		}
		if !reflect.DeepEqual(errArgs, []any{"read", 0, "", w.ID()}) {
			t.Errorf("ErrorEvent args %#v, want read, 0, \"\", id", errArgs)
		}
		if pending != "part" {
			t.Errorf("pending %q, want \"part\"", pending)
		}
	})
	t.Run("a filter error is reported and reading goes on", func(t *testing.T) {
		checkFds(t)
		a, b := socketpair(t)
		writeAll(t, b, []byte("ok\r\n"+strings.Repeat("x", 20)+"\r\nafter\r\n"))
		unix.Close(b)
		var w *wheel.ReadWrite
		var got []string
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "in", ErrorEvent: "err",
					Filter: filter.NewLine(filter.LineOptions{MaxLength: 10})})
				return nil
			},
			"in": func(e *kernel.Event) any { got = append(got, e.ArgString(0)); return nil },
			"err": func(e *kernel.Event) any {
				if e.ArgInt(1) == 0 {
					got = append(got, "EOF")
					w.Close()
					return nil
				}
				if e.ArgString(0) != "read" || e.ArgInt(1) != int(syscall.EBADMSG) || !strings.Contains(e.ArgString(2), "line length") {
					t.Errorf("filter error args %v", e.Args)
				}
				got = append(got, "error")
				return nil
			},
		})
		if want := []string{"ok", "error", "after", "EOF"}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("writing to a closed peer reports a write error", func(t *testing.T) {
		checkFds(t)
		a, b := socketpair(t)
		unix.Close(b)
		var w *wheel.ReadWrite
		var op string
		var errno int
		run(t, kernel.States{
			"_start": func(e *kernel.Event) any {
				w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, ErrorEvent: "err"})
				w.Put("into the void")
				return nil
			},
			"err": func(e *kernel.Event) any {
				op, errno = e.ArgString(0), e.ArgInt(1)
				w.Close()
				return nil
			},
		})
		if op != "write" || syscall.Errno(errno) != syscall.EPIPE {
			t.Errorf("ErrorEvent %q %v, want write EPIPE", op, syscall.Errno(errno))
		}
	})
}

// TestReadWritePauseAndRename checks PauseInput/ResumeInput and Event
// renaming: records wait while input is paused and go to the renamed
// state afterwards.
func TestReadWritePauseAndRename(t *testing.T) {
	checkFds(t)
	a, b := socketpair(t)
	var w *wheel.ReadWrite
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "first", ErrorEvent: "err"})
			w.PauseInput()
			writeAll(t, b, []byte("x\r\n"))
			e.Kernel.Delay("resume", 0)
			return nil
		},
		"resume": func(e *kernel.Event) any {
			if err := w.Event("InputEvent", "second"); err != nil {
				t.Error(err)
			}
			w.ResumeInput()
			return nil
		},
		"first":  func(e *kernel.Event) any { got = append(got, "first"); return nil },
		"second": func(e *kernel.Event) any { got = append(got, "second:"+e.ArgString(0)); unix.Close(b); return nil },
		"err":    func(e *kernel.Event) any { w.Close(); return nil },
	})
	if !reflect.DeepEqual(got, []string{"second:x"}) {
		t.Errorf("got %q", got)
	}
}
