// Package poe_test holds the kernel's concurrency tests: several kernels in
// one process, and Post from many goroutines. Run them under -race.
package poe_test

import (
	"sync"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

const limit = 10 * time.Second

// start runs k on its own goroutine and returns a function that waits,
// bounded, for Run to return.
func start(t *testing.T, k *kernel.Kernel) func() {
	done := make(chan error, 1)
	go func() { done <- k.Run() }()
	return func() {
		t.Helper()
		select {
		case err := <-done:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(limit):
			t.Fatalf("kernel %s still running after %v", k.Name(), limit)
		}
	}
}

// TestTwoKernels runs two kernels on their own goroutines, bouncing an
// event between them with Post: the only goroutine-safe door into a
// running kernel.
func TestTwoKernels(t *testing.T) {
	const rounds = 1000
	k1 := kernel.MustNew(kernel.WithName("one"))
	k2 := kernel.MustNew(kernel.WithName("two"))
	defer k1.Close()
	defer k2.Close()
	var got1, got2 []int
	// Each side holds an extra reference while it waits for the other,
	// since an alias alone would let IDLE reap it.
	hold := func(e *kernel.Event) any {
		e.Kernel.AliasSet("player")
		e.Kernel.RefcountIncrement(e.Session, "waiting")
		return nil
	}
	release := func(e *kernel.Event) { e.Kernel.RefcountDecrement(e.Session, "waiting") }
	k1.Create(kernel.Session{States: kernel.States{
		"_start": hold,
		"pong": func(e *kernel.Event) any {
			n := e.ArgInt(0)
			got1 = append(got1, n)
			if n == rounds {
				k2.Post("player", "quit")
				release(e)
				return nil
			}
			if err := k2.Post("player", "ping", n+1); err != nil {
				t.Errorf("post to the other kernel: %v", err)
			}
			return nil
		},
	}})
	k2.Create(kernel.Session{States: kernel.States{
		"_start": hold,
		"ping": func(e *kernel.Event) any {
			got2 = append(got2, e.ArgInt(0))
			k1.Post("player", "pong", e.ArgInt(0))
			return nil
		},
		"quit": func(e *kernel.Event) any { release(e); return nil },
	}})
	wait1, wait2 := start(t, k1), start(t, k2)
	if err := k2.Post("player", "ping", 1); err != nil {
		t.Fatal(err)
	}
	wait1()
	wait2()
	for name, got := range map[string][]int{"one": got1, "two": got2} {
		if len(got) != rounds {
			t.Errorf("kernel %s saw %d events, want %d", name, len(got), rounds)
			continue
		}
		for i, n := range got {
			if n != i+1 {
				t.Errorf("kernel %s: event %d carried %d", name, i, n)
				break
			}
		}
	}
}

// TestPostFromManyGoroutines posts from 8 goroutines at once: every event
// is delivered exactly once, and each sender's events in the order it
// posted them.
func TestPostFromManyGoroutines(t *testing.T) {
	const senders, each = 8, 2000
	k := kernel.MustNew()
	defer k.Close()
	next := make([]int, senders)
	total := 0
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("sink")
			e.Kernel.RefcountIncrement(e.Session, "posters")
			return nil
		},
		"ev": func(e *kernel.Event) any {
			g, seq := e.ArgInt(0), e.ArgInt(1)
			if seq != next[g] {
				t.Errorf("sender %d: got %d, want %d", g, seq, next[g])
			}
			next[g] = seq + 1
			if total++; total == senders*each {
				e.Kernel.RefcountDecrement(e.Session, "posters")
			}
			return nil
		},
	}})
	wait := start(t, k)
	var wg sync.WaitGroup
	for g := 0; g < senders; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := k.Post("sink", "ev", g, i); err != nil {
					t.Errorf("Post: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	wait()
	if total != senders*each {
		t.Errorf("delivered %d events, want %d", total, senders*each)
	}
	for g, n := range next {
		if n != each {
			t.Errorf("sender %d: %d events delivered, want %d", g, n, each)
		}
	}
}
