package bench

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// timerBatch is how many timers are pending at once in the timer
// workloads: the Perl programs use the same batches, so both sides keep
// queues of the same depth. It is large enough that setting a batch takes
// longer than the 10 ms its spread alarms span, so the spread workload
// measures the kernel rather than the clock (with 10,000 a batch could not
// fire faster than 1,000,000 alarms a second, whatever the kernel).
const timerBatch = 100000

// BenchmarkDelayZero is workload 2a: zero delays set in batches of
// timerBatch and all fired before the next batch; one op is one delay set
// and fired. Perl side: perl/timers.pl zero.
func BenchmarkDelayZero(b *testing.B) {
	k := kernel.MustNew()
	defer k.Close()
	left, pending := b.N, 0
	arm := func(e *kernel.Event) {
		for pending < timerBatch && left > 0 {
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
// timerBatch at random times spread over the next 10 ms, all fired before
// the next batch; one op is one alarm set and fired. Perl side:
// perl/timers.pl spread.
func BenchmarkAlarmsSpread(b *testing.B) {
	k := kernel.MustNew()
	defer k.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	left, pending := b.N, 0
	arm := func(e *kernel.Event) {
		now := time.Now()
		for pending < timerBatch && left > 0 {
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
