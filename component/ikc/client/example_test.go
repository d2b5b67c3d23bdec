package client_test

import (
	"fmt"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// A client kernel subscribes to a remote session after connecting and
// then posts to the proxy session IKC makes for it, as to any local
// session; the remote handler answers through its SENDER.
func Example() {
	srv := kernel.MustNew(kernel.WithName("Pulse"))
	defer srv.Close()
	port, _ := server.Spawn(srv, server.Options{Port: 0, Name: "Pulse"})
	srv.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("timeserver")
			e.Kernel.Post("IKC", "publish", "timeserver", []string{"ask"})
			return e.Kernel.Post("IKC", "monitor", "*", map[string]string{"unregister": "bye"})
		},
		"ask": func(e *kernel.Event) any {
			return e.Kernel.Post(e.Sender, "told", "it is "+time.Date(2001, 9, 9, 1, 46, 40, 0, time.UTC).Format(time.Kitchen))
		},
		"bye": func(e *kernel.Event) any {
			e.Kernel.Post("IKC", "shutdown")
			return e.Kernel.AliasRemove("timeserver")
		},
	}})
	done := make(chan error)
	go func() { done <- srv.Run() }()

	k := kernel.MustNew(kernel.WithName("Client"))
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("me")
			_, err := client.Spawn(e.Kernel, client.Options{
				Port: port, Name: "Client", ConnectTimeout: 5 * time.Second,
				OnConnect: func() { k.Post("me", "connected") },
				OnError:   func(op string, errno int, text string) { fmt.Println(op, text) },
			})
			// Spawn made the IKC session; the answer comes from Pulse, so
			// the state it is posted to must be published.
			e.Kernel.Post("IKC", "publish", "me", []string{"told"})
			return err
		},
		"connected": func(e *kernel.Event) any {
			return e.Kernel.Post("IKC", "subscribe", []string{"poe://Pulse/timeserver"}, "subscribed")
		},
		"subscribed": func(e *kernel.Event) any {
			fmt.Println("subscribed:", e.Arg(0))
			return e.Kernel.Post("poe://Pulse/timeserver", "ask", "what time is it?")
		},
		"told": func(e *kernel.Event) any {
			fmt.Println(e.Arg(0))
			e.Kernel.Post("IKC", "shutdown")
			return e.Kernel.AliasRemove("me")
		},
	}})
	k.Run()
	<-done
	// Output:
	// subscribed: [poe://Pulse/timeserver]
	// it is 1:46AM
}
