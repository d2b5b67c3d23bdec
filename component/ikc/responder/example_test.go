package responder_test

import (
	"fmt"
	"sort"

	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

// A kernel that registers its own IKC name can post and call its own
// sessions through IKC: the local kernel pseudo-channel runs the request
// at once, so the answer has arrived when Call returns.
func Example() {
	k := kernel.MustNew(kernel.WithName("Inet"))
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("test")
			r := responder.Spawn(e.Kernel)
			r.RegisterLocal([]string{"Inet"})
			r.Publish("test", "called")
			r.Call("poe://Inet/test/called", 2, "poe:callback")
			fmt.Println("call returned")
			r.Shutdown()
			return nil
		},
		"called":   func(e *kernel.Event) any { return e.ArgInt(0) * 2 },
		"callback": func(e *kernel.Event) any { fmt.Println("callback got", e.Arg(0)); return nil },
	}})
	k.Run()
	// Output:
	// callback got 4
	// call returned
}

// The Perl calling convention: every operation is a post (or a call) to
// the session aliased "IKC".
func Example_perlConvention() {
	k := kernel.MustNew(kernel.WithName("Srv"))
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("echo")
			responder.Spawn(e.Kernel).RegisterLocal([]string{"Srv"})
			e.Kernel.Call("IKC", "publish", "echo", []string{"echo"})
			e.Kernel.Call("IKC", "post", "poe://Srv/echo/echo", "hi")
			e.Kernel.Call("IKC", "call", "poe://Srv/IKC/ping", nil, "poe:pong")
			e.Kernel.Post("IKC", "shutdown")
			return nil
		},
		"echo": func(e *kernel.Event) any { fmt.Println("echo:", e.Arg(0)); return nil },
		"pong": func(e *kernel.Event) any { fmt.Println("ping:", e.Arg(0)); return nil },
	}})
	k.Run()
	// Output:
	// echo: hi
	// ping: PONG
}

// Publish makes states reachable from other kernels; Published lists them.
func ExampleResponder_Publish() {
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("calc")
			r := responder.Spawn(e.Kernel)
			r.Publish("", "add", "sub") // every alias of the calling session
			r.Retract("calc", "sub")
			fmt.Println(r.Published("calc"))
			all := r.PublishedAll()
			names := make([]string, 0, len(all))
			for n := range all {
				names = append(names, n)
			}
			sort.Strings(names)
			fmt.Println(names, all["IKC"])
			r.Shutdown()
			return nil
		},
	}})
	k.Run()
	// Output:
	// [add]
	// [IKC calc] [do_you_have ping remote_error]
}

// Monitor watches kernels coming and going, and errors. Here an error:
// posting to a kernel nobody knows, which, as in Perl IKC, is told to the
// monitors of "*" under "*".
func ExampleResponder_Monitor() {
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			r := responder.Spawn(e.Kernel)
			r.Monitor("*", map[string]string{"error": "oops"}, "my data")
			_, err := r.Post("poe://Nowhere/s/e", nil)
			fmt.Println("post:", err != nil)
			return nil
		},
		"oops": func(e *kernel.Event) any {
			fmt.Println(e.Arg(0), e.Arg(1), e.Arg(2), e.Arg(3), e.Arg(4))
			responder.Get(e.Kernel).Shutdown()
			return nil
		},
	}})
	k.Run()
	// Output:
	// post: true
	// * * <nil> my data resolve
}
