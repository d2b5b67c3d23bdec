// Command timeclient is the client half of IKC's time-server pattern: it
// connects to examples/timeserver with IKC's Client and, once connected,
// subscribes to poe://TimeServer/timeserver, so that a proxy session
// aliased "poe://TimeServer/timeserver" stands for the remote one. It posts
// to the proxy, as to any local session, asking for the time to be
// sent to its own published state, prints --count ticks, tells the server
// it is leaving and shuts IKC down.
//
//	go run ./examples/timeclient -port 31337 -count 3
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/poe/kernel"
)

const proxy = "poe://TimeServer/timeserver"

func main() {
	port := flag.Int("port", 31337, "the time server's TCP port on 127.0.0.1")
	name := flag.String("name", fmt.Sprintf("TimeClient%d", os.Getpid()), "this kernel's IKC name")
	count := flag.Int("count", 3, "how many ticks to print")
	flag.Parse()
	log.SetFlags(0)

	k := kernel.MustNew(kernel.WithName(*name))
	defer k.Close()
	me := "poe://" + *name + "/clock/tick"
	failed := false
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("clock")
			_, err := client.Spawn(e.Kernel, client.Options{
				Port:      *port,
				Name:      *name,
				OnConnect: func() { k.Post("clock", "connected") },
				OnError: func(op string, errno int, text string) {
					fmt.Fprintf(os.Stderr, "timeclient: %s: %s\n", op, text)
					failed = true
					k.Post("clock", "leave")
				},
				ConnectTimeout: 5 * time.Second,
			})
			if err != nil {
				log.Fatalf("timeclient: %v", err)
			}
			// The state the server posts to must be published.
			e.Kernel.Post("IKC", "publish", "clock", []string{"tick"})
			return nil
		},
		"connected": func(e *kernel.Event) any {
			e.Kernel.Post("IKC", "subscribe", []string{proxy}, "subscribed")
			return nil
		},
		// subscribed is the subscription's callback: ARG0 the specifiers
		// the server accepted.
		"subscribed": func(e *kernel.Event) any {
			if got, _ := e.Arg(0).([]string); len(got) != 1 {
				fmt.Fprintln(os.Stderr, "timeclient: the server refused the subscription")
				failed = true
				e.Kernel.Yield("leave")
				return nil
			}
			fmt.Println("timeclient: connected and subscribed to", proxy)
			e.Kernel.Post(proxy, "connect", me)
			return nil
		},
		"tick": func(e *kernel.Event) any {
			fmt.Println("timeclient: the time is", e.ArgString(0))
			if *count--; *count == 0 {
				e.Kernel.Yield("leave")
			}
			return nil
		},
		"leave": func(e *kernel.Event) any {
			if !failed {
				e.Kernel.Post(proxy, "disconnect", me)
			}
			e.Kernel.Post("IKC", "shutdown")
			e.Kernel.AliasRemove("clock")
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		log.Fatal(err)
	}
	if failed {
		os.Exit(1)
	}
}
