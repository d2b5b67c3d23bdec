package bench

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// BenchmarkYield is workload 1a: one session yielding to itself; one op is
// one event dispatched. Perl side: perl/dispatch.pl yield.
func BenchmarkYield(b *testing.B) {
	k := kernel.MustNew()
	defer k.Close()
	n := b.N
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("next"); return nil },
		"next": func(e *kernel.Event) any {
			if n--; n > 0 {
				e.Kernel.Yield("next")
			}
			return nil
		},
	}})
	b.ReportAllocs()
	b.ResetTimer()
	if err := k.Run(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n > 0 {
		b.Fatalf("the kernel stopped with %d events still to dispatch", n)
	}
	reportRate(b)
}

// BenchmarkPingPong is workload 1b: two sessions posting to each other;
// one op is one post dispatched (a round trip is two). Perl side:
// perl/dispatch.pl pingpong.
func BenchmarkPingPong(b *testing.B) {
	k := kernel.MustNew()
	defer k.Close()
	n := b.N
	// Each side posts back to its sender until n events have been
	// dispatched; the alias keeps pong alive between events, as in the
	// Perl program.
	bounce := func(reply string) kernel.Handler {
		return func(e *kernel.Event) any {
			if n--; n > 0 {
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
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.Post("pong", "ping") },
		"pong":   bounce("ping"),
	}})
	b.ReportAllocs()
	b.ResetTimer()
	if err := k.Run(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n > 0 {
		b.Fatalf("the kernel stopped with %d events still to dispatch", n)
	}
	reportRate(b)
}

// BenchmarkCall is workload 1c: a session calling another synchronously
// with one argument and using the returned value; one op is one call.
// Perl side: perl/dispatch.pl call.
func BenchmarkCall(b *testing.B) {
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("callee") },
		"add":    func(e *kernel.Event) any { return e.ArgInt(0) + 1 },
		"bye":    func(e *kernel.Event) any { return e.Kernel.AliasRemove("callee") },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
		"go": func(e *kernel.Event) any {
			callee := e.Kernel.AliasResolve("callee")
			sum := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v, _ := e.Kernel.Call(callee, "add", 1)
				sum += v.(int)
			}
			b.StopTimer()
			if sum != 2*b.N {
				b.Errorf("sum %d, want %d", sum, 2*b.N)
			}
			e.Kernel.Post(callee, "bye")
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		b.Fatal(err)
	}
	reportRate(b)
}
