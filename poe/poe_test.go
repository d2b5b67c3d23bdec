package poe_test

import (
	"fmt"

	"github.com/poe-go/poe/poe"
)

// A session that counts to three with yield, as POE's first example does.
func Example() {
	poe.Create(poe.Session{States: poe.States{
		"_start": func(e *poe.Event) any {
			e.Kernel.Yield("count", 1)
			return nil
		},
		"count": func(e *poe.Event) any {
			n := e.ArgInt(0)
			fmt.Println("count", n)
			if n < 3 {
				e.Kernel.Yield("count", n+1)
			}
			return nil
		},
		"_stop": func(e *poe.Event) any { fmt.Println("stopped"); return nil },
	}})
	if err := poe.Run(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// count 1
	// count 2
	// count 3
	// stopped
}
