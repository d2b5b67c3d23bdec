package freezethaw

import (
	"math"
	"strconv"
	"strings"
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

// TestThawScalars checks what each scalar text thaws to: int64 for an
// integer as Perl prints one that fits, the text itself otherwise.
func TestThawScalars(t *testing.T) {
	tests := map[string]any{
		"0": int64(0), "1": int64(1), "-1": int64(-1), "42": int64(42), "-300": int64(-300),
		"9223372036854775807":  int64(math.MaxInt64),
		"-9223372036854775808": int64(math.MinInt64),
		"9223372036854775808":  "9223372036854775808",
		"-9223372036854775809": "-9223372036854775809",
		"18446744073709551615": "18446744073709551615",
		"-0":                   "-0",
		"007":                  "007",
		"+1":                   "+1",
		" 1":                   " 1",
		"1 ":                   "1 ",
		"-3.5":                 "-3.5",
		"2.5":                  "2.5",
		"1e+20":                "1e+20",
		"1e3":                  "1e3",
		"Inf":                  "Inf",
		"NaN":                  "NaN",
		"0x10":                 "0x10",
		"-":                    "-",
		"":                     "",
		"abc":                  "abc",
	}
	for text, want := range tests {
		t.Run(text, func(t *testing.T) {
			img := "FrT;@1|$" + strconv.Itoa(len(text)) + "|" + text
			got, err := Thaw([]byte(img))
			require.NoError(t, err)
			assert.Equal(t, want, got)
			out, err := Freeze(got)
			require.NoError(t, err)
			assert.Equal(t, img, string(out), "freezes back to the same text")
		})
	}
}

// TestThawCharacterLengths checks images whose string lengths count
// characters, as a Perl peer sends them when its record holds a character
// string.
func TestThawCharacterLengths(t *testing.T) {
	got, err := Thaw([]byte("FrT;@1|%4|$1|k$2|\xc3\xbfx$4|caf\xc3\xa9$2|\xe2\x98\xba!"))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"k": "café", "ÿx": "☺!"}, got)
	got, err = Thaw([]byte("FrT;@1|>>0|$2|\xc3\x9c1%2|$1|a/3|\xc3\xa9+$"))
	require.NoError(t, err)
	assert.Equal(t, serial.Blessed{Class: "Ü1", Value: map[string]any{"a": serial.Blessed{Class: "Regexp", Value: "é+$"}}}, got)
	// Lengths in bytes are tried first.
	got, err = Thaw([]byte("FrT;@1|$5|caf\xc3\xa9"))
	require.NoError(t, err)
	assert.Equal(t, "café", got)
	// Not valid UTF-8: lengths are bytes, and the error is theirs.
	_, err = Thaw([]byte("FrT;@1|$4|caf\xe9\xe9"))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, ErrTrailing)
	assert.Equal(t, 14, e.Offset)
	_, err = Thaw([]byte("FrT;@1|$" + strconv.Itoa(201) + "|" + strings.Repeat("é", 100)))
	assert.ErrorIs(t, err, ErrLength)
}

// TestThawSharedForward checks a shared array named before its content
// is read: every place that named it holds the one array in the end.
func TestThawSharedForward(t *testing.T) {
	img := "FrT;!2|%0|@0|\\_%6|$1|a$1|b$1|r<1|<1|<2|@2|<0|$1|x\\<1|@1|@3|<0|<1|<2|"
	v, err := Thaw([]byte(img))
	require.NoError(t, err)
	top := v.([]any)
	h, a, r := top[0].(map[string]any), top[1].([]any), top[2].(*serial.Ref)
	require.Len(t, a, 2)
	assert.Same(t, &a[0], &h["a"].([]any)[0], "h.a is the array")
	assert.Same(t, &a[0], &h["b"].([]any)[0], "h.b is the array")
	assert.Same(t, r, h["r"])
	assert.Equal(t, "x", a[1])
	assert.Equal(t, h, a[0])
	assert.Same(t, &a[0], &r.Value.([]any)[0])
	out, err := Freeze(v)
	require.NoError(t, err)
	assert.Equal(t, img, string(out))
}
