package freezethaw

import (
	"testing"

	"github.com/poe-go/poe/poe/serial/serialtest"
)

// BenchmarkFreeze measures freezing an IKC record and a 64 KiB string
// into a reused buffer.
func BenchmarkFreeze(b *testing.B) { serialtest.BenchFreeze(b, Default) }

// BenchmarkThaw measures thawing the same two values.
func BenchmarkThaw(b *testing.B) { serialtest.BenchThaw(b, Default) }

// BenchmarkFreezeShared measures the second walk Freeze makes when a
// record shares a container: the IKC record with its parameters twice.
func BenchmarkFreezeShared(b *testing.B) {
	rec := serialtest.Record()
	rec["again"] = rec["params"]
	b.ReportAllocs()
	buf, err := Default.Freeze(nil, rec)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf, _ = Default.Freeze(buf[:0], rec)
	}
}

// BenchmarkThawShared measures thawing that record's image, with its
// shared-object table.
func BenchmarkThawShared(b *testing.B) {
	rec := serialtest.Record()
	rec["again"] = rec["params"]
	data, err := Freeze(rec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Thaw(data); err != nil {
			b.Fatal(err)
		}
	}
}
