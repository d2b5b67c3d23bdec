// Command timeserver is the server half of IKC's time-server pattern
// (the "timeserver" of POE::Component::IKC's documentation): a kernel named
// TimeServer publishes a session "timeserver" whose "connect" state takes
// a specifier (poe://Kernel/session/state) and whose "disconnect" state
// forgets it; every --interval it posts the time to each connected
// specifier through IKC. An IKC monitor forgets the specifiers of a kernel
// that disconnects without saying so. Clients subscribe to the session and post to the
// proxy it gives them; see examples/timeclient.
//
//	go run ./examples/timeserver -port 31337
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

func main() {
	port := flag.Int("port", 31337, "TCP port on 127.0.0.1; 0 picks a free one")
	interval := flag.Duration("interval", time.Second, "time between ticks")
	runFor := flag.Duration("for", 0, "stop after this long (0: run until interrupted)")
	flag.Parse()
	log.SetFlags(0)

	k := kernel.MustNew(kernel.WithName("TimeServer"))
	defer k.Close()
	p, err := server.Spawn(k, server.Options{Port: *port, Name: "TimeServer"})
	if err != nil {
		log.Fatalf("timeserver: %v", err)
	}
	fmt.Printf("timeserver: listening on 127.0.0.1:%d\n", p)

	listeners := map[string]bool{} // specifiers to post the time to
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("timeserver")
			e.Kernel.Post("IKC", "publish", "timeserver", []string{"connect", "disconnect"})
			e.Kernel.Post("IKC", "monitor", "*", map[string]string{"unregister": "gone", "error": "error"})
			e.Kernel.Sig("INT", "stop")
			e.Kernel.Delay("tick", *interval)
			if *runFor > 0 {
				e.Kernel.Delay("stop", *runFor)
			}
			return nil
		},
		// connect and disconnect are called from other kernels: ARG0 is
		// where the client wants the ticks.
		"connect": func(e *kernel.Event) any {
			spec := e.ArgString(0)
			listeners[spec] = true
			fmt.Printf("timeserver: %s connected\n", spec)
			return nil
		},
		"disconnect": func(e *kernel.Event) any {
			delete(listeners, e.ArgString(0))
			fmt.Printf("timeserver: %s disconnected\n", e.ArgString(0))
			return nil
		},
		// gone is the monitor's unregister event, once for the kernel's ID
		// and once per alias: ARG1 the name.
		"gone": func(e *kernel.Event) any {
			prefix := "poe://" + e.ArgString(1) + "/"
			for spec := range listeners {
				if strings.HasPrefix(spec, prefix) {
					delete(listeners, spec)
					fmt.Printf("timeserver: %s went away\n", spec)
				}
			}
			return nil
		},
		// error is the monitor's error event: ARG4 the operation, ARG5 the
		// message. A peer closing its connection is the normal end.
		"error": func(e *kernel.Event) any {
			if e.ArgString(4) != "channel-read" || !strings.HasPrefix(e.ArgString(5), "[0]") {
				fmt.Fprintf(os.Stderr, "timeserver: %s: %s\n", e.ArgString(4), e.ArgString(5))
			}
			return nil
		},
		"tick": func(e *kernel.Event) any {
			now := time.Now().Format(time.RFC3339)
			for spec := range listeners {
				// Called, IKC's post returns how many kernels it reached:
				// none means the listener's kernel has gone.
				if n, _ := e.Kernel.Call("IKC", "post", spec, now); n == 0 {
					delete(listeners, spec)
				}
			}
			e.Kernel.Delay("tick", *interval)
			return nil
		},
		"stop": func(e *kernel.Event) any {
			e.Kernel.SigHandled()
			e.Kernel.Sig("INT", "")
			e.Kernel.Delay("tick", -1)
			e.Kernel.Delay("stop", -1)
			e.Kernel.AliasRemove("timeserver")
			e.Kernel.Post("IKC", "shutdown")
			fmt.Println("timeserver: stopping")
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		log.Fatal(err)
	}
}
