package msgpack

import (
	"fmt"
	"sort"
	"strconv"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/serialtest"
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

// BenchmarkFreeze measures freezing an IKC record and a 64 KiB string
// into a reused buffer.
func BenchmarkFreeze(b *testing.B) { serialtest.BenchFreeze(b, Default) }

// BenchmarkThaw measures thawing the same two values.
func BenchmarkThaw(b *testing.B) { serialtest.BenchThaw(b, Default) }
