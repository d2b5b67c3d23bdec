package freezethaw

import (
	"math"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFreezeShapes checks the image of each Go shape Freeze takes.
func TestFreezeShapes(t *testing.T) {
	shared := map[string]any{"k": "v"}
	nilMap := map[string]any(nil)
	withCap := make([]any, 0, 4)
	obj := serial.Blessed{Class: "C", Value: map[string]any{"n": 1}}
	type inner struct {
		X int `ikc:"x"`
	}
	type outer struct {
		B    string            `msgpack:"b"`
		A    []int             `ikc:"a"`
		In   *inner            `ikc:"in"`
		M    map[string]string `ikc:"m,omitempty"`
		Skip int               `ikc:"-"`
		Both int               `ikc:"both" msgpack:"ignored"`
		Z    any
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"undef", nil, "FrT;@1|_"},
		{"a string", "abc", "FrT;@1|$3|abc"},
		{"UTF-8 text is written as its bytes", "café", "FrT;@1|$5|café"},
		{"Latin-1 bytes", "caf\xe9", "FrT;@1|$4|caf\xe9"},
		{"bytes", []byte("a|b"), "FrT;@1|$3|a|b"},
		{"a byte array", [2]byte{'o', 'k'}, "FrT;@1|$2|ok"},
		{"booleans", []any{true, false}, "FrT;@1|@2|$1|1$0|"},
		{"integers", []any{0, 9, 10, -1, int8(-128), uint16(65535), int64(math.MinInt64), uint64(math.MaxUint64)},
			"FrT;@1|@8|$1|0$1|9$2|10$2|-1$4|-128$5|65535$20|-9223372036854775808$20|18446744073709551615"},
		{"floats as Perl prints them", []any{2.5, 3.0, math.Copysign(0, -1), 1e15, 1e14, 0.1 + 0.2, 1.0 / 3, 1.5e-7, math.Inf(1), math.Inf(-1), math.NaN(), float32(0.1)},
			"FrT;@1|@12|$3|2.5$1|3$1|0$5|1e+15$15|100000000000000$3|0.3$17|0.333333333333333$7|1.5e-07$3|Inf$4|-Inf$3|NaN$17|0.100000001490116"},
		{"keys sorted bytewise", map[string]any{"b": 1, "a": 2, "B": 3, "é": 4, "z": 5},
			"FrT;@1|%10|$1|B$1|a$1|b$1|z$2|é$1|3$1|2$1|1$1|5$1|4"},
		{"a nil map and a nil slice", []any{nilMap, nilMap, []any(nil)}, "FrT;@1|@3|%0|%0|@0|"},
		{"empty slices of no capacity are never shared", []any{[]any{}, []any{}}, "FrT;@1|@2|@0|@0|"},
		{"an empty slice with capacity is", []any{withCap, withCap}, "FrT;!0|@0|@0|@1|@2|<0|<0|"},
		{"a map twice", []any{shared, shared}, "FrT;!0|%0|%2|$1|k$1|v@1|@2|<0|<0|"},
		{"an object twice", []any{obj, obj}, "FrT;!0|{>0|$1|C%0|})0|%2|$1|n$1|1@1|@2|<0|<0|"},
		{"a map plain and blessed", []any{obj.Value, obj}, "FrT;@1|@2|%2|$1|n$1|1>>0|$1|C%2|$1|n$1|1"},
		{"a blessed scalar", serial.Blessed{Class: "S", Value: 42}, "FrT;@1|>>0|$1|S\\$2|42"},
		{"a blessed reference", &serial.Blessed{Class: "R", Value: &serial.Ref{Value: "x"}}, "FrT;@1|>>0|$1|R\\\\$1|x"},
		{"a blessed typed map", serial.Blessed{Class: "T", Value: map[string]int{"a": 1}}, "FrT;@1|>>0|$1|T%2|$1|a$1|1"},
		{"a regexp", serial.Blessed{Class: "Regexp", Value: "(?^:x)"}, "FrT;@1|/6|(?^:x)"},
		{"a blessed regexp-class hash", serial.Blessed{Class: "Regexp", Value: map[string]any{}}, "FrT;@1|>>0|$6|Regexp%0|"},
		{"references", []any{&serial.Ref{Value: "x"}, &serial.Ref{Value: []any{1}}, (*serial.Ref)(nil), &serial.Ref{}},
			"FrT;@1|@4|\\$1|x\\@1|$1|1_\\_"},
		{"typed containers", map[int]string{10: "ten", -1: "minus"}, "FrT;@1|%4|$2|-1$2|10$5|minus$3|ten"},
		{"a struct", &outer{B: "bee", A: []int{1}, In: &inner{X: 2}, Skip: 9, Both: 3},
			"FrT;@1|%10|$1|Z$1|a$1|b$4|both$2|in_@1|$1|1$3|bee$1|3%2|$1|x$1|2"},
		{"pointers", []any{new(int), (*int)(nil)}, "FrT;@1|@2|$1|0_"},
		{"named types", []any{time0("x"), struct{}{}}, "FrT;@1|@2|$1|x%0|"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Freeze(tc.v)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

type time0 string

// TestFreezeAppends checks that Freeze appends to dst and reuses it.
func TestFreezeAppends(t *testing.T) {
	buf := []byte("12\x00")
	out, err := Default.Freeze(buf, map[string]any{"a": 1})
	require.NoError(t, err)
	assert.Equal(t, "12\x00FrT;@1|%2|$1|a$1|1", string(out))
	shared := []any{1}
	out, err = Default.Freeze(out[:3], []any{shared, shared})
	require.NoError(t, err)
	assert.Equal(t, "12\x00FrT;!0|@0|@1|$1|1@1|@2|<0|<0|", string(out), "the second walk starts over after dst")
}
