package server_test

import (
	"fmt"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// Two kernels in one program: the server kernel publishes calc/double, the
// client kernel connects over loopback and calls it with an RSVP. When the
// client shuts IKC down, the server's monitor sees it unregister and shuts
// down too, so both Runs return.
func Example() {
	srv := kernel.MustNew(kernel.WithName("Server"))
	defer srv.Close()
	port, err := server.Spawn(srv, server.Options{Port: 0, Name: "Server"})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("calc")
			e.Kernel.Post("IKC", "publish", "calc", []string{"double"})
			return e.Kernel.Post("IKC", "monitor", "*", map[string]string{"unregister": "bye"})
		},
		"double": func(e *kernel.Event) any { return 2 * e.Arg(0).(int64) },
		"bye": func(e *kernel.Event) any {
			e.Kernel.Post("IKC", "shutdown")
			return e.Kernel.AliasRemove("calc")
		},
	}})
	done := make(chan error)
	go func() { done <- srv.Run() }()

	cli := kernel.MustNew(kernel.WithName("Client"))
	defer cli.Close()
	cli.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("me")
			_, err := client.Spawn(e.Kernel, client.Options{Port: port, Name: "Client",
				OnConnect: func() { cli.Post("me", "ask") }})
			return err
		},
		"ask": func(e *kernel.Event) any {
			return e.Kernel.Post("IKC", "call", "poe://Server/calc/double", int64(21), "poe:answer")
		},
		"answer": func(e *kernel.Event) any {
			fmt.Println("answer:", e.Arg(0))
			e.Kernel.Post("IKC", "shutdown")
			return e.Kernel.AliasRemove("me")
		},
	}})
	cli.Run()
	<-done
	// Output: answer: 42
}

// A server on a unix-domain socket, with the legacy IKC negotiation
// expected first. Spawn returns port 0 for a unix socket.
func ExampleSpawn_unix() {
	k := kernel.MustNew(kernel.WithName("Local"))
	defer k.Close()
	port, err := server.Spawn(k, server.Options{Unix: "/tmp/example-ikc.sock", Name: "Local"})
	fmt.Println(port, err)
	k.Post("IKC", "shutdown") // stop listening again: this is only an example
	k.Run()
	// Output: 0 <nil>
}
