package storable

import (
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
