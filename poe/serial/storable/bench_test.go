package storable

import (
	"strings"
	"testing"
)

// benchRecord is an IKC call as a Perl peer sends it (the ikc-call sample
// with a one-hash parameter list and ClientLite's wantarray); the same
// value is built in bench/storable/storable.pl for the Perl figures.
func benchRecord() map[string]any {
	return map[string]any{
		"event": "poe://Server/echo/echo",
		"params": []any{map[string]any{
			"id": int64(42), "name": "widget", "price": 2.5,
			"tags": []any{"a", "b"}, "note": nil,
		}},
		"rsvp":      map[string]any{"kernel": "Client", "session": int64(2), "state": "reply"},
		"from":      map[string]any{"kernel": "vm-6b037b85-0000224b-00000001", "session": "client", "state": "IKC:proxy"},
		"wantarray": "",
	}
}

var benchWorkloads = []struct {
	name  string
	value any
}{
	{"ikc-record", benchRecord()},
	{"string-64KiB", strings.Repeat("x", 64<<10)},
}

// BenchmarkFreeze measures nfreeze of an IKC record and of a 64 KiB
// string into a reused buffer.
func BenchmarkFreeze(b *testing.B) {
	for _, w := range benchWorkloads {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			buf, err := Default.Freeze(nil, w.value)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				buf, _ = Default.Freeze(buf[:0], w.value)
			}
		})
	}
}

// BenchmarkThaw measures thaw of the same two images.
func BenchmarkThaw(b *testing.B) {
	for _, w := range benchWorkloads {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			data, err := Freeze(w.value)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Thaw(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkThawBorrow measures thaw with Options.Borrow: strings point
// into the image instead of a copy.
func BenchmarkThawBorrow(b *testing.B) {
	s := New(Options{Borrow: true})
	for _, w := range benchWorkloads {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			data, err := Freeze(w.value)
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
