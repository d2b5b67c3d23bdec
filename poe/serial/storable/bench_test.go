package storable

import (
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial/serialtest"
)

// BenchmarkFreeze measures freezing an IKC record and a 64 KiB string
// into a reused buffer.
func BenchmarkFreeze(b *testing.B) { serialtest.BenchFreeze(b, Default) }

// BenchmarkThaw measures thawing the same two values.
func BenchmarkThaw(b *testing.B) { serialtest.BenchThaw(b, Default) }

// BenchmarkThawBorrow measures thaw with Options.Borrow: strings point
// into the image instead of a copy.
func BenchmarkThawBorrow(b *testing.B) {
	s := New(Options{Borrow: true})
	for _, w := range serialtest.Workloads {
		b.Run(w.Name, func(b *testing.B) {
			b.ReportAllocs()
			data, err := Freeze(w.Value)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := s.Thaw(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// floorSink keeps BenchmarkThawFloor's copies alive.
var floorSink string

// BenchmarkThawFloor measures what thawing a 64 KiB string cannot go
// below: copying the bytes (memmove-64KiB, into a buffer reused across
// iterations, which Thaw cannot do since the caller keeps the string),
// and allocating a new string and copying into it (alloc-copy-64KiB,
// string(data)), which Thaw must do for its result not to alias the
// image.
//
// Why Thaw/string-64KiB stays far from twice Perl's speed: Perl's thaw
// takes about 1300 ns, copying into the malloc block it freed the time
// before, hot in the cache. The bare copy takes about 670 ns here, so
// twice Perl's speed would mean the whole thaw, allocation included, in
// the time of that copy. alloc-copy takes 8 to 20 µs depending on the
// load of the machine, and Thaw the same within noise: it makes that one
// allocation and one copy, of the string only (8 pages; the header is not
// copied). In a CPU profile of either, memmove is under 10%. The rest is
// the collector: with a benchmark's tiny heap (4 MiB goal) a cycle runs
// every 55 thaws or so and costs a fraction of a millisecond of locking,
// sweeping and waking threads: about half of the profile is the runtime
// and a third the kernel (scheduling, and 0.7 to 5 page faults per thaw
// as freed pages go back to the OS and are faulted in again). GOGC=off is
// no way out: every allocation is then fresh memory to fault in, and a
// thaw takes 20 µs or more.
func BenchmarkThawFloor(b *testing.B) {
	data := []byte(strings.Repeat("x", 64<<10))
	b.Run("memmove-64KiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		dst := make([]byte, len(data))
		for b.Loop() {
			copy(dst, data)
		}
	})
	b.Run("alloc-copy-64KiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			floorSink = string(data)
		}
	})
}
