package main

import (
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// benchYield is workload 1, yield: one session yields to itself n times.
func benchYield(n int, tick func(float64)) (benchResult, error) {
	k, err := kernel.New()
	if err != nil {
		return benchResult{}, err
	}
	defer k.Close()
	progress := every(n, tick)
	left := n
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("next"); return nil },
		"next": func(e *kernel.Event) any {
			left--
			progress(n - left)
			if left > 0 {
				e.Kernel.Yield("next")
			}
			return nil
		},
	}})
	start := time.Now()
	err = k.Run()
	return benchResult{Elapsed: time.Since(start)}, err
}

// benchPingPong is workload 1, post ping-pong: two sessions post to each
// other, n events in all.
func benchPingPong(n int, tick func(float64)) (benchResult, error) {
	k, err := kernel.New()
	if err != nil {
		return benchResult{}, err
	}
	defer k.Close()
	progress := every(n, tick)
	left := n
	bounce := func(reply string) kernel.Handler {
		return func(e *kernel.Event) any {
			left--
			progress(n - left)
			if left > 0 {
				e.Kernel.Post(e.Sender, reply)
			} else {
				e.Kernel.AliasRemove("pong")
			}
			return nil
		}
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("pong") },
		"ping":   bounce("pong"),
	}})
	start := time.Now()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.Post("pong", "ping") },
		"pong":   bounce("ping"),
	}})
	err = k.Run()
	return benchResult{Elapsed: time.Since(start)}, err
}

// benchCall is workload 1, call: one session calls another's handler n
// times, synchronously.
func benchCall(n int, tick func(float64)) (benchResult, error) {
	k, err := kernel.New()
	if err != nil {
		return benchResult{}, err
	}
	defer k.Close()
	progress := every(n, tick)
	var elapsed time.Duration
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("callee") },
		"add":    func(e *kernel.Event) any { return e.ArgInt(0) + 1 },
		"done":   func(e *kernel.Event) any { return e.Kernel.AliasRemove("callee") },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			start := time.Now()
			x := 0
			for i := 1; i <= n; i++ {
				v, err := e.Kernel.Call("callee", "add", x)
				if err != nil {
					panic(err)
				}
				x = v.(int)
				progress(i)
			}
			elapsed = time.Since(start)
			e.Kernel.Post("callee", "done")
			return nil
		},
	}})
	err = k.Run()
	return benchResult{Elapsed: elapsed}, err
}
