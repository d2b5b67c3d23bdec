package wheel_test

import (
	"fmt"
	"os"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// A ReadWrite wheel on a pipe: the session puts a line on the write end
// and gets it back, framed by Filter::Line, from the read end. The wheel
// is made in _start, the handler of the session that owns it, and closed
// when the work is done so the session can end.
func ExampleReadWrite() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	defer w.Close()
	k := kernel.MustNew()
	defer k.Close()
	var rw *wheel.ReadWrite
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			rw, err = wheel.NewReadWrite(e, wheel.ReadWriteOptions{
				InputHandle:  int(r.Fd()),
				OutputHandle: int(w.Fd()),
				Filter:       filter.NewLine(filter.LineOptions{Literal: "\n"}),
				InputEvent:   "got_line",
				KeepOpen:     true, // the *os.File values own the descriptors
			})
			if err != nil {
				return err
			}
			rw.Put("hello, wheel")
			return nil
		},
		// got_line is InputEvent: ARG0 the record, ARG1 the wheel ID.
		"got_line": func(e *kernel.Event) any {
			fmt.Println("got:", e.ArgString(0), "from wheel", e.ArgInt(1) == rw.ID())
			rw.Close()
			return nil
		},
	}})
	k.Run()
	// Output: got: hello, wheel from wheel true
}

// Wheel::Run starts a child process; its stdout comes back line by line,
// the end of its output through CloseEvent and its exit through SigChild.
// Those two come in either order, so the session waits for both.
func ExampleRun() {
	k := kernel.MustNew()
	defer k.Close()
	var run *wheel.Run
	closed, status := false, -1
	done := func() {
		if closed && status >= 0 {
			fmt.Println("exit status", status>>8)
			run.Close()
		}
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			run, err = wheel.NewRun(e, wheel.RunOptions{
				Command:     "echo one; echo two; exit 3",
				StdoutEvent: "stdout",
				CloseEvent:  "closed",
			})
			if err != nil {
				return err
			}
			return e.Kernel.SigChild(run.PID(), "exited")
		},
		"stdout": func(e *kernel.Event) any { fmt.Println("child said", e.ArgString(0)); return nil },
		// exited: ARG1 the PID, ARG2 the wait status (Perl's $?).
		"exited": func(e *kernel.Event) any { status = e.ArgInt(2); done(); return nil },
		"closed": func(e *kernel.Event) any { closed = true; done(); return nil },
	}})
	k.Run()
	// Output:
	// child said one
	// child said two
	// exit status 3
}
