package clientlite_test

import (
	"context"
	"fmt"
	"time"

	"github.com/poe-go/poe/component/ikc/clientlite"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// A Go IKC server runs in this program on its own goroutine, so the
// example needs nothing else; the ClientLite half is what a script writes
// against any IKC server, Perl or Go.
func ExampleClient_Call_goServer() {
	k := kernel.MustNew(kernel.WithName("Calc"))
	defer k.Close()
	port, _ := server.Spawn(k, server.Options{Port: 0, Name: "Calc"})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("calc")
			e.Kernel.Sig("USR2", "stop") // how this example stops the server
			return e.Kernel.Post("IKC", "publish", "calc", []string{"add"})
		},
		"add": func(e *kernel.Event) any {
			sum := int64(0)
			for _, x := range e.Arg(0).([]any) {
				sum += x.(int64)
			}
			return sum
		},
		"stop": func(e *kernel.Event) any {
			e.Kernel.SigHandled()
			e.Kernel.Sig("USR2", "")
			e.Kernel.Post("IKC", "shutdown")
			return e.Kernel.AliasRemove("calc")
		},
	}})
	done := make(chan error)
	go func() { done <- k.Run() }()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := clientlite.Connect(ctx, clientlite.Options{Addr: "127.0.0.1", Port: port, Name: "Script"})
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := c.Call("calc/add", []any{1, 2, 3})
	fmt.Println(sum, err)
	c.Disconnect()

	k.Signal(k.Session(), "USR2")
	<-done
	// Output: 6 <nil>
}
