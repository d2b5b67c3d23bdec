package msgpack

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
)

// fmtValue prints a thawed value for comparison: maps in key order and
// references by what they point to, not by address.
func fmtValue(v any) string {
	switch x := v.(type) {
	case *serial.Ref:
		return "ref(" + fmtValue(x.Value) + ")"
	case serial.Blessed:
		return "bless(" + strconv.Quote(x.Class) + ", " + fmtValue(x.Value) + ")"
	case []any:
		s := "["
		for _, e := range x {
			s += fmtValue(e) + ","
		}
		return s + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s := "{"
		for _, k := range keys {
			s += strconv.Quote(k) + ":" + fmtValue(x[k]) + ","
		}
		return s + "}"
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// benchRecord is the IKC record of the storable benchmarks.
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

// BenchmarkFreeze measures freezing an IKC record and a 64 KiB string
// into a reused buffer.
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

// BenchmarkThaw measures thawing the same two values.
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
