package filters_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

var benchSizes = []struct {
	name string
	n    int
}{{"64B", 64}, {"4KiB", 4096}}

// wireOf frames count records of size octets with f, in one block.
func wireOf(b *testing.B, f filter.Filter, rec any, count int) []byte {
	var wire []byte
	for range count {
		var err error
		if wire, err = f.Put(wire, rec); err != nil {
			b.Fatal(err)
		}
	}
	return wire
}

// benchGet feeds wire in 64 KiB blocks, as SysRW reads it, and reports the
// cost per record.
func benchGet(b *testing.B, f filter.Filter, wire []byte, perWire int) {
	b.ReportAllocs()
	b.SetBytes(int64(len(wire) / perWire))
	n := 0
	for b.Loop() {
		if n == 0 {
			for off := 0; off < len(wire); off += 65536 {
				f.GetOneStart(wire[off:min(off+65536, len(wire))])
				for {
					_, ok, err := f.GetOne()
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						break
					}
					n++
				}
			}
		}
		n--
	}
}

// BenchmarkLineGet is Line.Get per record (default mode, CR LF), each
// line a string copy, and lent (LineOptions.Borrow).
func BenchmarkLineGet(b *testing.B) {
	for _, borrow := range []bool{false, true} {
		for _, s := range benchSizes {
			b.Run(fmt.Sprintf("%s/borrow=%v", s.name, borrow), func(b *testing.B) {
				const count = 1024
				rec := string(bytes.Repeat([]byte("x"), s.n))
				f := filter.NewLine(filter.LineOptions{Borrow: borrow})
				benchGet(b, f, wireOf(b, filter.NewLine(), rec, count), count)
			})
		}
	}
}

// BenchmarkReferenceGet is Reference.Get per record with Storable; the
// record is a string of the given size.
func BenchmarkReferenceGet(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			const count = 1024
			rec := string(bytes.Repeat([]byte("x"), s.n))
			f := filter.NewReference(filter.ReferenceOptions{})
			benchGet(b, f, wireOf(b, f.Clone(), rec, count), count)
		})
	}
}

// BenchmarkReferencePut is Reference.Put per record into a reused buffer.
func BenchmarkReferencePut(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			rec := string(bytes.Repeat([]byte("x"), s.n))
			f := filter.NewReference(filter.ReferenceOptions{})
			var dst []byte
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = f.Put(dst[:0], rec)
			}
		})
	}
}

// BenchmarkLinePut is Line.Put per record into a reused buffer.
func BenchmarkLinePut(b *testing.B) {
	rec := string(bytes.Repeat([]byte("x"), 64))
	f := filter.NewLine()
	var dst []byte
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = f.Put(dst[:0], rec)
	}
}

// BenchmarkStreamGet is Stream throughput on 64 KiB reads, each record
// the caller's own, and lent (StreamOptions.Borrow).
func BenchmarkStreamGet(b *testing.B) {
	block := make([]byte, 65536)
	for _, borrow := range []bool{false, true} {
		b.Run(fmt.Sprintf("borrow=%v", borrow), func(b *testing.B) {
			f := filter.NewStream(filter.StreamOptions{Borrow: borrow})
			b.ReportAllocs()
			b.SetBytes(int64(len(block)))
			for b.Loop() {
				f.GetOneStart(block)
				if _, ok, _ := f.GetOne(); !ok {
					b.Fatal("no record")
				}
			}
		})
	}
}
