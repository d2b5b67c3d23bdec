// Command tail is `tail -F` on POE::Wheel::FollowTail: it prints every line
// appended to a file, and keeps following it when it is truncated or
// rotated (replaced by a new file of the same name). The wheel polls a
// regular file with a delay, so the session lives as long as the wheel does;
// an interrupt or the --for timer closes it and the program ends.
//
//	go run ./examples/tail -file /var/log/syslog
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

func main() {
	file := flag.String("file", "", "the file to follow (required)")
	fromStart := flag.Bool("from-start", false, "print what the file holds already, then follow it")
	poll := flag.Duration("poll", 250*time.Millisecond, "how often to look for new lines")
	runFor := flag.Duration("for", 0, "stop after this long (0: run until interrupted)")
	flag.Parse()
	log.SetFlags(0)
	if *file == "" {
		fmt.Fprintln(os.Stderr, "tail: -file is required")
		os.Exit(2)
	}

	k := kernel.MustNew()
	defer k.Close()
	var tail *wheel.FollowTail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			tail, err = wheel.NewFollowTail(e, wheel.FollowTailOptions{
				Filename:     *file,
				FromStart:    *fromStart,
				PollInterval: *poll,
				InputEvent:   "line",
				ResetEvent:   "reset",
				ErrorEvent:   "error",
			})
			if err != nil {
				log.Fatalf("tail: %v", err)
			}
			e.Kernel.Sig("INT", "stop")
			if *runFor > 0 {
				e.Kernel.Delay("stop", *runFor)
			}
			return nil
		},
		// line is InputEvent: ARG0 the line, ARG1 the wheel ID.
		"line":  func(e *kernel.Event) any { fmt.Println(e.ArgString(0)); return nil },
		"reset": func(e *kernel.Event) any { fmt.Fprintln(os.Stderr, "tail: file truncated or replaced"); return nil },
		"error": func(e *kernel.Event) any {
			fmt.Fprintf(os.Stderr, "tail: %s: %s\n", e.ArgString(0), e.ArgString(2))
			return nil
		},
		"stop": func(e *kernel.Event) any {
			e.Kernel.SigHandled()
			e.Kernel.Sig("INT", "")
			e.Kernel.Delay("stop", -1)
			tail.Close()
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		log.Fatal(err)
	}
}
