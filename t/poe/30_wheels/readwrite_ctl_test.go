package wheels_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestReadWriteFlush holds POE's flush: a synchronous write of the queue
// that calls FlushedEvent before it returns, even when the queue was
// empty already, and leaves nothing for the end of the round to flush
// again. The sequence was taken from Perl POE 1.370: put, flush, flushed,
// the peer reads the record at once, flush again, flushed again, and no
// FlushedEvent after that.
func TestReadWriteFlush(t *testing.T) {
	a, b := wheelPair(t)
	var w *wheel.ReadWrite
	var tr []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, FlushedEvent: "flushed"})
			w.Put("abc")
			tr = append(tr, fmt.Sprintf("queued %d octets in %d messages", w.GetDriverOutOctets(), w.GetDriverOutMessages()))
			w.Flush()
			tr = append(tr, fmt.Sprintf("flushed to %d octets in %d messages", w.GetDriverOutOctets(), w.GetDriverOutMessages()))
			tr = append(tr, "peer read "+readNow(t, b))
			w.Flush()
			tr = append(tr, "flushed an empty queue")
			e.Kernel.Yield("next")
			return nil
		},
		"next": func(e *kernel.Event) any { tr = append(tr, "next round"); e.Kernel.Yield("done"); return nil },
		"done": func(e *kernel.Event) any { w.Close(); return nil },
		"flushed": func(e *kernel.Event) any {
			tr = append(tr, fmt.Sprintf("FlushedEvent %v", e.Arg(0) == w.ID()))
			return nil
		},
	})
	want := []string{
		"queued 5 octets in 1 messages",
		"FlushedEvent true",
		"flushed to 0 octets in 0 messages",
		`peer read "abc\r\n"`,
		"FlushedEvent true",
		"flushed an empty queue",
		"next round",
	}
	if !reflect.DeepEqual(tr, want) {
		t.Errorf("events\n%q\nwant\n%q", tr, want)
	}
}

// TestReadWriteDriverOutMessages holds get_driver_out_messages and
// get_driver_out_octets: one message a record, and a record partly
// written still counts until its last octet leaves. Perl POE 1.370 gives
// 3 messages and 9 octets for put("a", "b", "c"), then 6 messages after
// three records of a megabyte, and 3 after a flush that writes the small
// records and part of the first large one.
func TestReadWriteDriverOutMessages(t *testing.T) {
	a, _ := wheelPair(t)
	if err := unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 65536); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 1<<20)
	total := 9 + 3*(len(big)+2)
	var msgs, octets []int
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ := wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a})
			w.Put("a", "b", "c")
			msgs, octets = append(msgs, w.GetDriverOutMessages()), append(octets, w.GetDriverOutOctets())
			w.Put(big, big, big)
			msgs, octets = append(msgs, w.GetDriverOutMessages()), append(octets, w.GetDriverOutOctets())
			w.Flush()
			msgs, octets = append(msgs, w.GetDriverOutMessages()), append(octets, w.GetDriverOutOctets())
			w.Close()
			return nil
		},
	})
	if want := []int{3, 6, 3}; !reflect.DeepEqual(msgs, want) {
		t.Errorf("messages queued %v, want %v", msgs, want)
	}
	if octets[0] != 9 || octets[1] != total || octets[2] <= 2*(len(big)+2) || octets[2] >= total-9 {
		t.Errorf("octets queued %v, want 9, %d, then between %d and %d", octets, total, 2*(len(big)+2), total-9)
	}
}

// TestReadWriteSetMarks holds set_high_mark and set_low_mark as Perl POE
// 1.370 runs them: a put of a megabyte under a high mark of two returns
// false; the marks are then moved to 500000 and 400000, so the first
// flush leaves the queue above the new high mark and HighEvent fires;
// while the peer drains it LowEvent fires once the queue is at or under
// the new low mark, before it is empty, and FlushedEvent last. Perl
// printed: put 0, high 853825, low 269121, flushed.
func TestReadWriteSetMarks(t *testing.T) {
	checkFds(t)
	a, b := socketpair(t)
	if err := unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 65536); err != nil {
		t.Fatal(err)
	}
	const size = 1000000
	var w, peer *wheel.ReadWrite
	var tr []string
	var high, low int
	got := 0
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, FlushedEvent: "flushed",
				HighMark: 2000000, LowMark: 1, HighEvent: "high", LowEvent: "low"})
			tr = append(tr, fmt.Sprintf("put %v", w.Put(strings.Repeat("x", size-2))))
			if err := w.SetHighMark(500000); err != nil {
				t.Error(err)
			}
			if err := w.SetLowMark(400000); err != nil {
				t.Error(err)
			}
			peer, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: b, InputEvent: "peer_in", Filter: filter.NewStream()})
			return nil
		},
		"high": func(e *kernel.Event) any {
			tr = append(tr, "high")
			high = w.GetDriverOutOctets()
			return nil
		},
		"low":     func(e *kernel.Event) any { tr = append(tr, "low"); low = w.GetDriverOutOctets(); return nil },
		"flushed": func(e *kernel.Event) any { tr = append(tr, "flushed"); return nil },
		"peer_in": func(e *kernel.Event) any {
			if got += len(e.Arg(0).([]byte)); got == size {
				peer.Close()
				w.Close()
			}
			return nil
		},
	})
	if want := []string{"put false", "high", "low", "flushed"}; !reflect.DeepEqual(tr, want) {
		t.Errorf("events %q, want %q", tr, want)
	}
	if high < 500000 {
		t.Errorf("HighEvent with %d octets queued, under the high mark", high)
	}
	if low <= 0 || low > 400000 {
		t.Errorf("LowEvent with %d octets queued, want 1 to 400000", low)
	}
}

// TestReadWriteSetMarksRefused holds the checks of POE's set_high_mark
// and set_low_mark: a mark that would not keep the high mark above the
// low mark above zero, or a wheel made without marks, is refused and the
// marks stay as they were (Perl POE 1.370 carps "Ignored").
func TestReadWriteSetMarksRefused(t *testing.T) {
	cases := []struct {
		name      string
		high, low int // the constructor's
		set       func(w *wheel.ReadWrite) error
		put       string // put after the refused change: 10 octets with the line end
		full      bool   // what that put returns with the marks unchanged
	}{
		{"a high mark at the low mark is refused", 20, 5, func(w *wheel.ReadWrite) error { return w.SetHighMark(5) }, "abcdefgh", false},
		{"a high mark under the low mark is refused", 20, 5, func(w *wheel.ReadWrite) error { return w.SetHighMark(1) }, "abcdefgh", false},
		{"a low mark at the high mark is refused", 10, 5, func(w *wheel.ReadWrite) error { return w.SetLowMark(10) }, "abcdefgh", true},
		{"a low mark of zero is refused", 10, 5, func(w *wheel.ReadWrite) error { return w.SetLowMark(0) }, "abcdefgh", true},
		{"a high mark without marks from the constructor is refused", 0, 0, func(w *wheel.ReadWrite) error { return w.SetHighMark(5) }, "abcdefgh", false},
		{"a low mark without marks from the constructor is refused", 0, 0, func(w *wheel.ReadWrite) error { return w.SetLowMark(5) }, "abcdefgh", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, _ := wheelPair(t)
			var err error
			var full bool
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					w, _ := wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, HighMark: c.high, LowMark: c.low})
					err = c.set(w)
					full = w.Put(c.put)
					w.Close()
					return nil
				},
			})
			if err == nil {
				t.Error("the mark was accepted")
			}
			if full != c.full {
				t.Errorf("put after the refused mark returned %v, want %v", full, c.full)
			}
		})
	}
}

// TestReadWritePutRefused holds what the wheel does with a record its
// output filter cannot encode: the record is dropped, the others of the
// same put are written, and ErrorEvent receives ("put", EINVAL, the
// filter's text, wheel ID). Perl's put dies with the filter instead.
func TestReadWritePutRefused(t *testing.T) {
	a, b := wheelPair(t)
	var w *wheel.ReadWrite
	var tr []string
	var errArgs []any
	var last error
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, ErrorEvent: "err", FlushedEvent: "flushed"})
			tr = append(tr, fmt.Sprint("put ", w.Put("a", 42, "b")))
			return nil
		},
		"flushed": func(e *kernel.Event) any { tr = append(tr, "flushed"); return nil },
		"err": func(e *kernel.Event) any {
			tr = append(tr, "err")
			errArgs = append([]any(nil), e.Args...)
			last = w.LastError()
			w.Close()
			return nil
		},
	})
	if want := []string{"put false", "flushed", "err"}; !reflect.DeepEqual(tr, want) {
		t.Errorf("events %q, want %q", tr, want)
	}
	if len(errArgs) != 4 || errArgs[0] != "put" || errArgs[1] != int(syscall.EINVAL) ||
		!strings.Contains(fmt.Sprint(errArgs[2]), "int") || errArgs[3] != w.ID() {
		t.Errorf("ErrorEvent args %#v, want put, EINVAL, the filter's text, the wheel ID", errArgs)
	}
	var oe *wheel.OpError
	if !errors.As(last, &oe) || oe.Op != "put" || oe.Errno != syscall.EINVAL {
		t.Errorf("LastError = %#v, want a put OpError with EINVAL", last)
	}
	if got := readNow(t, b); got != `"a\r\nb\r\n"` {
		t.Errorf("peer read %s, want the two good records", got)
	}
}

// TestReadWriteSetOutputFilter holds set_output_filter and
// get_output_filter: later puts use the new filter, octets already queued
// leave as they were encoded, and the input filter is not changed.
func TestReadWriteSetOutputFilter(t *testing.T) {
	a, b := wheelPair(t)
	stream := filter.NewStream()
	var w *wheel.ReadWrite
	var sameOut, sameIn bool
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "in", FlushedEvent: "flushed"})
			in := w.GetInputFilter()
			w.Put("line")
			w.SetOutputFilter(stream)
			sameOut, sameIn = w.GetOutputFilter() == filter.Filter(stream), w.GetInputFilter() == in
			w.Put("raw")
			return nil
		},
		"in":      func(e *kernel.Event) any { return nil },
		"flushed": func(e *kernel.Event) any { w.Close(); return nil },
	})
	if !sameOut || !sameIn {
		t.Errorf("GetOutputFilter is the new filter: %v; GetInputFilter unchanged: %v", sameOut, sameIn)
	}
	if got := readNow(t, b); got != `"line\r\nraw"` {
		t.Errorf("peer read %s, want \"line\\r\\nraw\"", got)
	}
}

// TestReadWriteHandles holds get_input_handle and get_output_handle: the
// one Handle for both, or InputHandle and OutputHandle each, and -1 once
// the wheel is closed.
func TestReadWriteHandles(t *testing.T) {
	a, _ := wheelPair(t)
	pr, pw := pipe(t)
	var got [][2]int
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			one, _ := wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a})
			two, _ := wheel.NewReadWrite(e, wheel.ReadWriteOptions{InputHandle: pr, OutputHandle: pw})
			got = append(got, [2]int{one.GetInputHandle(), one.GetOutputHandle()}, [2]int{two.GetInputHandle(), two.GetOutputHandle()})
			one.Close()
			two.Close()
			got = append(got, [2]int{one.GetInputHandle(), one.GetOutputHandle()}, [2]int{two.GetInputHandle(), two.GetOutputHandle()})
			return nil
		},
	})
	if want := [][2]int{{a, a}, {pr, pw}, {-1, -1}, {-1, -1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("handles %v, want %v", got, want)
	}
}

// TestReadWriteShutdownOutput holds shutdown_output on a socketpair, as
// Perl POE 1.370 runs it: the peer reads the end of input ("read", 0, "")
// while the wheel still reads what the peer sends, and a put after the
// shutdown is not written. Unlike POE, which drops what was queued, the
// wheel writes the queue first, as far as the socket takes it.
func TestReadWriteShutdownOutput(t *testing.T) {
	checkFds(t)
	a, b := socketpair(t)
	var w, peer *wheel.ReadWrite
	var tr []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "in", ErrorEvent: "err", FlushedEvent: "flushed"})
			peer, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: b, InputEvent: "peer_in", ErrorEvent: "peer_err"})
			w.Put("before")
			w.ShutdownOutput()
			tr = append(tr, fmt.Sprintf("put after shutdown %v, %d octets queued", w.Put("after"), w.GetDriverOutOctets()))
			return nil
		},
		"peer_in": func(e *kernel.Event) any { tr = append(tr, "peer in "+e.ArgString(0)); return nil },
		"peer_err": func(e *kernel.Event) any {
			tr = append(tr, fmt.Sprintf("peer err %v %v %q", e.Arg(0), e.Arg(1), e.Arg(2)))
			if e.ArgString(0) != "read" {
				return nil // a failed flush below must not flush again
			}
			peer.Put("from peer")
			peer.Flush()
			peer.Close()
			return nil
		},
		"in":      func(e *kernel.Event) any { tr = append(tr, "in "+e.ArgString(0)); return nil },
		"err":     func(e *kernel.Event) any { tr = append(tr, "eof"); w.Close(); return nil },
		"flushed": func(e *kernel.Event) any { tr = append(tr, "flushed"); return nil },
	})
	want := []string{
		"put after shutdown false, 0 octets queued",
		"peer in before",
		`peer err read 0 ""`,
		"in from peer",
		"eof",
	}
	if !reflect.DeepEqual(tr, want) {
		t.Errorf("events\n%q\nwant\n%q", tr, want)
	}
}

// TestReadWriteShutdownInput holds shutdown_input on a socketpair, as Perl
// POE 1.370 runs it: the wheel stops reading, even what had arrived
// before; the peer's writes fail with EPIPE; output still works.
func TestReadWriteShutdownInput(t *testing.T) {
	checkFds(t)
	a, b := socketpair(t)
	var w, peer *wheel.ReadWrite
	var tr []string
	done := 0
	finish := func() {
		if done++; done == 2 {
			w.Close()
			peer.Close()
		}
	}
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "in", ErrorEvent: "err", FlushedEvent: "flushed"})
			peer, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: b, InputEvent: "peer_in", ErrorEvent: "peer_err"})
			writeAll(t, b, []byte("early\r\n"))
			w.ShutdownInput()
			w.Put("to peer")
			peer.Put("late")
			return nil
		},
		"in":      func(e *kernel.Event) any { tr = append(tr, "in "+e.ArgString(0)); return nil },
		"err":     func(e *kernel.Event) any { tr = append(tr, fmt.Sprintf("err %v %v", e.Arg(0), e.Arg(1))); return nil },
		"flushed": func(e *kernel.Event) any { tr = append(tr, "flushed"); return nil },
		"peer_in": func(e *kernel.Event) any { tr = append(tr, "peer in "+e.ArgString(0)); finish(); return nil },
		"peer_err": func(e *kernel.Event) any {
			tr = append(tr, fmt.Sprintf("peer err %v %v", e.Arg(0), syscall.Errno(e.ArgInt(1))))
			finish()
			return nil
		},
	})
	want := []string{"flushed", "peer err write " + syscall.EPIPE.Error(), "peer in to peer"}
	if !reflect.DeepEqual(tr, want) {
		t.Errorf("events\n%q\nwant\n%q", tr, want)
	}
}

// readNow reads what fd holds without waiting, quoted, or the error.
func readNow(t testing.TB, fd int) string {
	t.Helper()
	buf := make([]byte, 64)
	n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%q", buf[:n])
}
