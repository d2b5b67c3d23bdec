package bench

import (
	"runtime"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// idleSessions is how many idle sessions BenchmarkSessions100k keeps.
const idleSessions = 100_000

// BenchmarkSessions100k measures the memory of an idle session: a parent
// creates idleSessions sessions that each hold themselves alive with a
// reference count (POE's refcount_increment, the cheapest way for a
// session with no resources to stay), and the live heap is compared before
// and after. It reports B/session; the target is at most 1 KiB.
func BenchmarkSessions100k(b *testing.B) {
	var perSession float64
	for i := 0; i < b.N; i++ {
		perSession = idleSessionBytes(b)
	}
	b.ReportMetric(perSession, "B/session")
}

func idleSessionBytes(b *testing.B) float64 {
	k := kernel.MustNew()
	defer k.Close()
	// One state table shared by all the idle sessions, as a Perl program
	// creating them in a loop would share its code refs.
	idle := kernel.States{
		"_start": func(e *kernel.Event) any {
			_, err := e.Kernel.RefcountIncrement(e.Session, "idle")
			return err
		},
		"bye": func(e *kernel.Event) any {
			_, err := e.Kernel.RefcountDecrement(e.Session, "idle")
			return err
		},
	}
	var perSession float64
	k.Create(kernel.Session{States: kernel.States{
		// Grow the event queue first to what creating the sessions will
		// need (each creation queues a GC check), so that the queue's
		// capacity is not counted as the sessions' memory.
		"_start": func(e *kernel.Event) any {
			for j := 0; j < 2*idleSessions; j++ {
				e.Kernel.Yield("noop")
			}
			e.Kernel.Yield("spawn")
			return nil
		},
		"noop": func(e *kernel.Event) any { return nil },
		"spawn": func(e *kernel.Event) any {
			before := liveHeap()
			for j := 0; j < idleSessions; j++ {
				e.Kernel.Create(kernel.Session{States: idle})
			}
			// Let the kernel settle the new sessions (their GC checks)
			// before measuring.
			e.Kernel.Yield("measure", before)
			return nil
		},
		"measure": func(e *kernel.Event) any {
			perSession = float64(liveHeap()-e.Arg(0).(uint64)) / idleSessions
			if n := e.Kernel.SessionCount(); n < idleSessions {
				b.Errorf("%d sessions alive, want at least %d", n, idleSessions)
			}
			e.Kernel.Stop()
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		b.Fatal(err)
	}
	return perSession
}

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
