package bench

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// zeroBatch and spreadBatch are how many timers are pending at once in the
// timer workloads; the Perl programs use the same batches, so both sides
// keep queues of the same depth. The spread batch is large enough that
// setting it takes longer than the 10 ms its alarms span, so that workload
// measures the kernel rather than the clock (with 10,000 a batch could not
// fire faster than 1,000,000 alarms a second, whatever the kernel).
const (
	zeroBatch   = 10000
	spreadBatch = 100000
)

// BenchmarkDelayZero is workload 2a: zero delays set in batches of
// zeroBatch and all fired before the next batch; one op is one delay set
// and fired. Perl side: perl/timers.pl zero.
func BenchmarkDelayZero(b *testing.B) {
	k := kernel.MustNew()
	defer k.Close()
	left, pending := b.N, 0
	arm := func(e *kernel.Event) {
		for pending < zeroBatch && left > 0 {
			e.Kernel.DelayAdd("tick", 0)
			pending++
			left--
		}
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { arm(e); return nil },
		"tick": func(e *kernel.Event) any {
			if pending--; pending == 0 {
				arm(e)
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
	if left > 0 || pending > 0 {
		b.Fatalf("the kernel stopped with %d timers pending and %d to set", pending, left)
	}
	reportRate(b)
}

// BenchmarkAlarmsSpread is workload 2b: alarms set in batches of
// spreadBatch at random times spread over the next 10 ms, all fired before
// the next batch; one op is one alarm set and fired. Perl side:
// perl/timers.pl spread.
func BenchmarkAlarmsSpread(b *testing.B) {
	k := kernel.MustNew()
	defer k.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	left, pending := b.N, 0
	arm := func(e *kernel.Event) {
		now := time.Now()
		for pending < spreadBatch && left > 0 {
			off := time.Duration(rng.Int64N(int64(10 * time.Millisecond)))
			e.Kernel.AlarmAdd("ring", now.Add(off))
			pending++
			left--
		}
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { arm(e); return nil },
		"ring": func(e *kernel.Event) any {
			if pending--; pending == 0 {
				arm(e)
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
	if left > 0 || pending > 0 {
		b.Fatalf("the kernel stopped with %d timers pending and %d to set", pending, left)
	}
	reportRate(b)
}
