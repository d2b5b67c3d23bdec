// Command supervisor keeps a program running, as daemontools or runit do,
// on POE::Wheel::Run: it starts the program with pipes on its stdin, stdout
// and stderr, prints each line it writes with a prefix, watches its exit
// with SigChild, and restarts it after a delay that doubles on each quick
// failure, up to --restarts times. An interrupt stops the child with
// SIGTERM and waits for it.
//
//	go run ./examples/supervisor -restarts 3 -- sh -c 'date; sleep 1; exit 1'
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"syscall"
	"time"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// supervisor is the session's heap.
type supervisor struct {
	argv     []string
	child    *wheel.Run
	restarts int           // restarts left; negative: unlimited
	delay    time.Duration // the next restart delay
	started  time.Time
	stopping bool
	closed   bool // CloseEvent came: all its output has been read
	status   *syscall.WaitStatus
}

func main() {
	restarts := flag.Int("restarts", -1, "how many times to restart the program (-1: forever)")
	delay := flag.Duration("delay", 100*time.Millisecond, "first restart delay; it doubles while the program keeps failing within a second")
	flag.Parse()
	log.SetFlags(0)
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: supervisor [flags] -- program [args]")
		os.Exit(2)
	}
	s := &supervisor{argv: flag.Args(), restarts: *restarts, delay: *delay}
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{Heap: s, States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("INT", "stop")
			e.Kernel.Sig("TERM", "stop")
			e.Kernel.Yield("spawn")
			return nil
		},
		"spawn": s.spawn,
		// stdout and stderr are StdoutEvent and StderrEvent: ARG0 a line.
		"stdout": func(e *kernel.Event) any { fmt.Printf("[%d] %s\n", s.child.PID(), e.ArgString(0)); return nil },
		"stderr": func(e *kernel.Event) any { fmt.Printf("[%d!] %s\n", s.child.PID(), e.ArgString(0)); return nil },
		// exited is the SigChild state: ARG1 the PID, ARG2 the wait status.
		"exited": s.exited,
		// closed is CloseEvent: the child closed stdout and stderr.
		"closed": func(e *kernel.Event) any { s.closed = true; return s.reap(e) },
		"stop": func(e *kernel.Event) any {
			e.Kernel.SigHandled()
			e.Kernel.Sig("INT", "")
			e.Kernel.Sig("TERM", "")
			s.stopping = true
			e.Kernel.Delay("spawn", -1)
			if s.child != nil {
				fmt.Printf("supervisor: stopping %d\n", s.child.PID())
				s.child.Kill(syscall.SIGTERM)
			}
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		log.Fatal(err)
	}
}

func (s *supervisor) spawn(e *kernel.Event) any {
	child, err := wheel.NewRun(e, wheel.RunOptions{
		Program:     s.argv,
		StdoutEvent: "stdout",
		StderrEvent: "stderr",
		CloseEvent:  "closed",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "supervisor: %v\n", err)
		os.Exit(1)
	}
	s.child, s.started, s.closed, s.status = child, time.Now(), false, nil
	e.Kernel.SigChild(child.PID(), "exited")
	fmt.Printf("supervisor: started %d\n", child.PID())
	return nil
}

// exited notes the child's exit. The exit and the end of its output come
// in either order; the child is done when both have.
func (s *supervisor) exited(e *kernel.Event) any {
	status := syscall.WaitStatus(e.ArgInt(2))
	s.status = &status
	return s.reap(e)
}

func (s *supervisor) reap(e *kernel.Event) any {
	if !s.closed || s.status == nil {
		return nil
	}
	fmt.Printf("supervisor: %d exited with status %d\n", s.child.PID(), s.status.ExitStatus())
	s.child.Close()
	s.child = nil
	if s.stopping || s.restarts == 0 {
		return nil // nothing is left to keep the session: the program ends
	}
	if s.restarts > 0 {
		s.restarts--
	}
	if time.Since(s.started) > time.Second {
		s.delay = 100 * time.Millisecond // it ran a while: not a crash loop
	}
	fmt.Printf("supervisor: restarting in %s\n", s.delay)
	e.Kernel.Delay("spawn", s.delay)
	s.delay = min(2*s.delay, 30*time.Second)
	return nil
}
