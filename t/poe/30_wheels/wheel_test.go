package wheels_test

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestWheelIDs mirrors POE's t/10_units/03_base/10_wheel.t: IDs increase
// and an ID still in use is skipped, while a freed one is not reused
// before the counter comes back to it.
func TestWheelIDs(t *testing.T) {
	a := wheel.AllocateID()
	b := wheel.AllocateID()
	if b <= a {
		t.Errorf("IDs %d then %d do not increase", a, b)
	}
	wheel.FreeID(a)
	c := wheel.AllocateID()
	if c == a || c <= b {
		t.Errorf("ID %d after %d, %d (freed %d)", c, a, b, a)
	}
	wheel.FreeID(b)
	wheel.FreeID(c)
}

// TestWheelOutsideHandler checks that a wheel cannot be made without the
// Event of a running handler.
func TestWheelOutsideHandler(t *testing.T) {
	if _, err := wheel.NewReadWrite(nil, wheel.ReadWriteOptions{Handle: 1}); err != wheel.ErrNotInHandler {
		t.Errorf("err = %v, want ErrNotInHandler", err)
	}
}

// TestReadWriteSeparateHandles runs a ReadWrite on InputHandle and
// OutputHandle (two pipes), as POE allows for stdio.
func TestReadWriteSeparateHandles(t *testing.T) {
	checkFds(t)
	inR, inW := pipe(t)
	outR, outW := pipe(t)
	var w *wheel.ReadWrite
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{InputHandle: inR, OutputHandle: outW,
				InputEvent: "in", FlushedEvent: "flushed"})
			writeAll(t, inW, []byte("ping\n"))
			unix.Close(inW)
			return nil
		},
		"in": func(e *kernel.Event) any { got = append(got, e.ArgString(0)); w.Put("pong"); return nil },
		"flushed": func(e *kernel.Event) any {
			buf := make([]byte, 16)
			n, _ := unix.Read(outR, buf)
			got = append(got, string(buf[:n]))
			w.Close()
			unix.Close(outR)
			return nil
		},
	})
	if want := []string{"ping", "pong\r\n"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCloseFromAnotherSession checks that a wheel closed from another
// session's handler is released in its owner, so the owner stops.
func TestCloseFromAnotherSession(t *testing.T) {
	a, _ := wheelPair(t)
	var w *wheel.ReadWrite
	stopped := false
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "in"})
			return nil
		},
		"in":    func(e *kernel.Event) any { return nil },
		"_stop": func(e *kernel.Event) any { stopped = true; return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("close"); return nil },
		"close":  func(e *kernel.Event) any { w.Close(); return nil },
	}})
	runKernel(t, k)
	if !stopped {
		t.Error("the owner did not stop")
	}
}

// TestReadWritePutOutsideHandler checks that a Put made outside any
// handler, before Run, is written: no round ends to flush it, so the wheel
// waits for writability as POE does.
func TestReadWritePutOutsideHandler(t *testing.T) {
	checkFds(t)
	a, b := socketpair(t)
	var w, r *wheel.ReadWrite
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a})
			r, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: b, InputEvent: "in"})
			return nil
		},
		"in": func(e *kernel.Event) any { w.Close(); r.Close(); return nil },
	}})
	w.Put("x")
	runKernel(t, k) // ends only once "in" has read the put
}
