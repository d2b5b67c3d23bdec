// Package serialtest holds what the serializers' tests and benchmarks
// share: the workloads every serializer is measured on and the freeze and
// thaw loops, a comparison of data-model values that follows sharing,
// and a perl script run beside a test for the serializers that speak a
// Perl format.
package serialtest

import (
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
)

// Record is an IKC call as a Perl peer sends it (the ikc-call sample with
// a one-hash parameter list and ClientLite's wantarray); the same value is
// built in bench/storable/storable.pl for the Perl figures.
func Record() map[string]any {
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

// Workloads are the values every serializer is measured on.
var Workloads = []struct {
	Name  string
	Value any
}{
	{"ikc-record", Record()},
	{"string-64KiB", strings.Repeat("x", 64<<10)},
}

// BenchFreeze measures s freezing each workload into a reused buffer.
func BenchFreeze(b *testing.B, s serial.Serializer) {
	for _, w := range Workloads {
		b.Run(w.Name, func(b *testing.B) {
			b.ReportAllocs()
			buf, err := s.Freeze(nil, w.Value)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				buf, _ = s.Freeze(buf[:0], w.Value)
			}
		})
	}
}

// BenchThaw measures s thawing each workload's image.
func BenchThaw(b *testing.B, s serial.Serializer) {
	for _, w := range Workloads {
		b.Run(w.Name, func(b *testing.B) {
			b.ReportAllocs()
			data, err := s.Freeze(nil, w.Value)
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
