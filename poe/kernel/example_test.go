package kernel_test

import (
	"fmt"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// Two sessions: one publishes itself under an alias, the other posts to it
// and gets an answer back through SENDER, as POE programs do.
func Example() {
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("echo") },
		"echo": func(e *kernel.Event) any {
			e.Kernel.Post(e.Sender, "answer", "echo: "+e.ArgString(0))
			return nil
		},
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.Post("echo", "echo", "hello") },
		"answer": func(e *kernel.Event) any {
			fmt.Println(e.ArgString(0))
			return e.Kernel.AliasRemove("echo") // nothing else to do: let both sessions end
		},
	}})
	if err := k.Run(); err != nil {
		fmt.Println(err)
	}
	// Output: echo: hello
}

// Call runs a handler synchronously and returns its value.
func ExampleKernel_Call() {
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			v, _ := e.Kernel.Call(e.Session, "double", 21)
			fmt.Println(v)
			return nil
		},
		"double": func(e *kernel.Event) any { return 2 * e.ArgInt(0) },
	}})
	k.Run()
	// Output: 42
}

// DelaySet arms a timer and returns its ID; AlarmRemove takes it back.
func ExampleKernel_DelaySet() {
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			id, _ := e.Kernel.DelaySet("never", time.Hour)
			e.Kernel.Delay("soon", time.Millisecond, "tick")
			info, _ := e.Kernel.AlarmRemove(id)
			fmt.Println("removed", info.State)
			return nil
		},
		"soon": func(e *kernel.Event) any { fmt.Println("fired", e.ArgString(0)); return nil },
	}})
	k.Run()
	// Output:
	// removed never
	// fired tick
}
