package storable

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/poe-go/poe/poe/serial"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type myInt int

type myStr string

type blob []byte

type record struct {
	Name    string            `ikc:"name"`
	Count   uint8             `msgpack:"count"`
	Key     [2]string         `ikc:"ключ"`
	Nested  map[int16]string  `ikc:"nested"`
	Ptr     *string           `ikc:"ptr"`
	Opt     *int              `ikc:"opt"`
	Skip    string            `ikc:"-"`
	Empty   string            `ikc:"empty,omitempty"`
	Extra   map[string]string `ikc:"extra,omitempty"`
	private int
}

// TestPerlReflectFreeze freezes Go values of the kinds the reflection
// fallback accepts (typed slices and arrays, named types, pointers,
// structs, maps with integer keys, typed values inside blessed items)
// and has Perl compare what it thaws with its own value of that name.
func TestPerlReflectFreeze(t *testing.T) {
	p := startPerlCases(t)
	x, one, forty := "x", 1, myInt(1<<40)
	text := "just text"
	rec := record{Name: "n", Count: 3, Key: [2]string{"p", "q"}, Nested: map[int16]string{7: "seven", -1: "minus"}, Ptr: &x, Skip: "no"}
	obj := map[string]any{"n": 1} // Perl's list holds this object twice
	ff := blob(strings.Repeat("\xff", 256))
	tests := []struct {
		name, perl string
		v          any
	}{
		{"a typed int slice at the top", "byte-boundaries", []int{0, 127, -128, 128, -129, 255, 256, -256}},
		{"an int16 array of named ints' pointers", "byte-boundaries", []*myInt{new(myInt), ptr(myInt(127)), ptr(myInt(-128)), ptr(myInt(128)), ptr(myInt(-129)), ptr(myInt(255)), ptr(myInt(256)), ptr(myInt(-256))}},
		{"an array of int16", "byte-boundaries", [8]int16{0, 127, -128, 128, -129, 255, 256, -256}},
		{"uint64s above 2**63", "unsigned-above-iv", []uint64{1 << 63, 1<<64 - 1}},
		{"uintptrs above 2**63", "unsigned-above-iv", [2]uintptr{1 << 63, 1<<64 - 1}},
		{"byte arrays and named byte slices", "long-bytes", []any{[300]byte(([]byte(strings.Repeat("x", 300)))), ff, blobOf256x2()}},
		{"named strings", "long-utf8", []myStr{myStr(strings.Repeat("☺", 100)), myStr(strings.Repeat("é", 300))}},
		{"a typed map with UTF-8 keys", "utf8-keys", map[string]string{"☺": "1", "ключ": "v", "plain": "3", strings.Repeat("k☺", 100): "long key"}},
		{"a pointer to a map[string]any", "utf8-keys", &map[string]any{"☺": 1, "ключ": "v", "plain": 3, strings.Repeat("k☺", 100): "long key"}},
		{"a struct with a UTF-8 tag", "record", rec},
		{"a pointer to the struct", "record", &rec},
		{"a map of typed values with uint keys", "record", map[string]any{"name": myStr("n"), "count": uint16(3), "ключ": []string{"p", "q"},
			"nested": map[int64]string{7: "seven", -1: "minus"}, "ptr": &x, "opt": (*int)(nil)}},
		{"a map with int keys at the top", "int-keys", map[int]string{7: "seven", -1: "minus"}},
		{"a map with uint keys", "uint-keys", map[uint8]string{7: "seven", 255: "max"}},
		{"nils of every pointer kind", "undef-everywhere", []any{(*serial.Blessed)(nil), map[string]*int{"u": nil, "d": &one}, []*string{nil}, &serial.Ref{}}},
		{"a blessed typed slice", "blessed", []any{&serial.Blessed{Class: "My::Class", Value: obj}, serial.Blessed{Class: "My::List", Value: []int{1, 2}},
			serial.Blessed{Class: "My::Scalar", Value: myStr("scalar")}, serial.Blessed{Class: "My::Ref", Value: &serial.Ref{Value: "rr"}},
			serial.Blessed{Class: "My::Class", Value: obj}, serial.Blessed{Class: "My::Class", Value: struct{}{}}}},
		{"a named string at the top", "top-scalar", myStr(text)},
		{"a pointer to a string at the top", "top-scalar", &text},
		{"a named int at the top", "top-integer", forty},
		{"a pointer to a named int at the top", "top-integer", &forty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Freeze(tc.v)
			require.NoError(t, err)
			assert.Empty(t, p.check(t, tc.perl, img))
		})
	}
}

func ptr[T any](v T) *T { return &v }

func blobOf256x2() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestFreezeRefusesReflected checks the Go values the reflection fallback
// has no Perl form for, wherever they sit: Freeze fails with ErrFreeze and
// leaves dst as it was.
func TestFreezeRefusesReflected(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"a func at the top", func() {}},
		{"a bool-keyed map", map[bool]string{true: "t"}},
		{"an array-keyed map", map[[2]int]string{{1, 2}: "x"}},
		{"an unsafe pointer in a typed slice", []unsafe.Pointer{nil}},
		{"a chan in a struct", struct{ C chan int }{make(chan int)}},
		{"a complex64 behind a pointer", []any{ptr(complex64(1))}},
		{"a func inside a blessed struct", serial.Blessed{Class: "C", Value: struct{ F func() }{func() {}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("kept")
			out, err := Default.Freeze(dst, tc.v)
			assert.ErrorIs(t, err, ErrFreeze)
			assert.Equal(t, "kept", string(out))
		})
	}
}
