package kernel

import (
	"os"
	"testing"
	"time"
)

// BenchmarkYield: one session yielding to itself, POE's yield loop.
func BenchmarkYield(b *testing.B) {
	k := MustNew()
	defer k.Close()
	n := b.N
	k.Create(Session{States: States{
		"_start": func(e *Event) any { e.Kernel.Yield("next"); return nil },
		"next": func(e *Event) any {
			if n--; n > 0 {
				e.Kernel.Yield("next")
			}
			return nil
		},
	}})
	b.ReportAllocs()
	b.ResetTimer()
	k.Run()
}

// BenchmarkPostPingPong: two sessions posting to each other.
func BenchmarkPostPingPong(b *testing.B) {
	k := MustNew()
	defer k.Close()
	n := b.N
	pong := k.Create(Session{States: States{
		"_start": func(e *Event) any { e.Kernel.AliasSet("pong"); return nil },
		"ping": func(e *Event) any {
			e.Kernel.Post(e.Sender, "pong")
			return nil
		},
		"bye": func(e *Event) any { return e.Kernel.AliasRemove("pong") },
	}})
	_ = pong
	k.Create(Session{States: States{
		"_start": func(e *Event) any { e.Kernel.Post("pong", "ping"); return nil },
		"pong": func(e *Event) any {
			if n--; n > 0 {
				e.Kernel.Post("pong", "ping")
			} else {
				e.Kernel.Post("pong", "bye")
			}
			return nil
		},
	}})
	b.ReportAllocs()
	b.ResetTimer()
	k.Run()
}

// BenchmarkCall: a session calling another synchronously, by session
// and by alias, and calling itself, as a wheel calls its owner.
func BenchmarkCall(b *testing.B) {
	for _, by := range []string{"session", "alias", "self"} {
		b.Run("by "+by, func(b *testing.B) {
			k := MustNew()
			defer k.Close()
			var dest any = "callee"
			callee := k.Create(Session{States: States{
				"_start": func(e *Event) any { e.Kernel.AliasSet("callee"); return nil },
				"add":    func(e *Event) any { return e.Arg(0) },
			}})
			if by == "session" {
				dest = callee
			}
			k.Create(Session{States: States{
				"_start": func(e *Event) any { e.Kernel.Yield("go"); return nil },
				"add":    func(e *Event) any { return e.Arg(0) },
				"go": func(e *Event) any {
					if by == "self" {
						dest = e.Session
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						e.Kernel.Call(dest, "add", e)
					}
					b.StopTimer()
					return nil
				},
			}})
			k.Run()
		})
	}
}

// BenchmarkDelayZero: zero delays set and fired, one at a time.
func BenchmarkDelayZero(b *testing.B) {
	k := MustNew()
	defer k.Close()
	n := b.N
	k.Create(Session{States: States{
		"_start": func(e *Event) any { e.Kernel.DelayAdd("tick", 0); return nil },
		"tick": func(e *Event) any {
			if n--; n > 0 {
				e.Kernel.DelayAdd("tick", 0)
			}
			return nil
		},
	}})
	b.ReportAllocs()
	b.ResetTimer()
	k.Run()
}

// BenchmarkAlarmsSpread: b.N alarms set at spread times, then all fired.
func BenchmarkAlarmsSpread(b *testing.B) {
	k := MustNew()
	defer k.Close()
	base := time.Now()
	k.Create(Session{States: States{
		"_start": func(e *Event) any {
			for i := 0; i < b.N; i++ {
				off := time.Duration((i*7919)%1000) * time.Microsecond
				e.Kernel.AlarmAdd("ring", base.Add(off))
			}
			return nil
		},
		"ring": func(e *Event) any { return nil },
	}})
	b.ReportAllocs()
	b.ResetTimer()
	k.Run()
}

// BenchmarkCrossGoroutineRoundTrip: another goroutine posts into the loop
// and waits for the handler's answer on a channel.
func BenchmarkCrossGoroutineRoundTrip(b *testing.B) {
	k := MustNew()
	defer k.Close()
	reply := make(chan struct{})
	k.Create(Session{States: States{
		"_start": func(e *Event) any {
			e.Kernel.AliasSet("svc")
			e.Kernel.RefcountIncrement(e.Session, "bench")
			return nil
		},
		"req": func(e *Event) any { reply <- struct{}{}; return nil },
		"bye": func(e *Event) any {
			e.Kernel.RefcountDecrement(e.Session, "bench")
			e.Kernel.AliasRemove("svc")
			return nil
		},
	}})
	done := make(chan struct{})
	go func() { k.Run(); close(done) }()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.Post("svc", "req")
		<-reply
	}
	b.StopTimer()
	k.Post("svc", "bye")
	<-done
}

// BenchmarkPipeHandoff is the yardstick for the round trip above: the same
// hand-off between two goroutines through os.Pipe and Go's own poller.
func BenchmarkPipeHandoff(b *testing.B) {
	r1, w1, _ := os.Pipe()
	r2, w2, _ := os.Pipe()
	defer r1.Close()
	defer w1.Close()
	defer r2.Close()
	defer w2.Close()
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := r1.Read(buf); err != nil {
				return
			}
			w2.Write(buf)
		}
	}()
	buf := make([]byte, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w1.Write(buf)
		r2.Read(buf)
	}
}
