package msgpack

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// read is a Reader method as the tests call it: it returns what it read
// and whether it read it.
type read func(r *Reader) (any, bool)

var (
	readNil read = func(r *Reader) (any, bool) { return nil, r.Nil() }
	readStr read = func(r *Reader) (any, bool) {
		b, ok := r.Str()
		return string(b), ok
	}
	readInt       read = func(r *Reader) (any, bool) { return r.Int() }
	readMapHeader read = func(r *Reader) (any, bool) { return r.MapHeader() }
	readValue     read = func(r *Reader) (any, bool) {
		v, err := r.Value()
		return v, err == nil
	}
)

// TestReaderItems checks each Reader method on the items it reads and on
// those it leaves: a refused item leaves the Reader where it was.
func TestReaderItems(t *testing.T) {
	isNil, str, integer, mapHdr := readNil, readStr, readInt, readMapHeader
	tests := []struct {
		name string
		read read
		hex  string
		want any
		ok   bool
	}{
		{"nil", isNil, "c0", nil, true},
		{"not nil", isNil, "a0", nil, false},
		{"a fixstr", str, "a3616263", "abc", true},
		{"a str 8", str, "d90161", "a", true},
		{"a str 16", str, "da000161", "a", true},
		{"a str 32", str, "db0000000161", "a", true},
		{"a bin 8", str, "c40161", "a", true},
		{"an empty str", str, "a0", "", true},
		{"a cut str", str, "a36162", "", false},
		{"a str claiming too much", str, "d9ff61", "", false},
		{"not a str", str, "c0", "", false},
		{"a positive fixint", integer, "7f", int64(127), true},
		{"a negative fixint", integer, "e0", int64(-32), true},
		{"a uint 8", integer, "cc80", int64(128), true},
		{"an int 16", integer, "d1ff00", int64(-256), true},
		{"a uint 64 that fits", integer, "cf0000000000000001", int64(1), true},
		{"a uint 64 above MaxInt64", integer, "cf8000000000000000", int64(0), false},
		{"a cut uint 32", integer, "ce0000", int64(0), false},
		{"not an integer", integer, "a0", int64(0), false},
		{"a fixmap", mapHdr, "82a161c0a162c0", 2, true},
		{"a map 16", mapHdr, "de0001a161c0", 1, true},
		{"a map 32", mapHdr, "df00000001a161c0", 1, true},
		{"a map claiming too many pairs", mapHdr, "de0009a161c0", 0, false},
		{"a fixmap claiming too many pairs", mapHdr, "82a161c0", 0, false},
		{"not a map", mapHdr, "90", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := hex.DecodeString(tc.hex)
			require.NoError(t, err)
			r := Default.NewReader(data)
			got, ok := tc.read(&r)
			assert.Equal(t, tc.ok, ok)
			if !ok {
				assert.Equal(t, Default.NewReader(data), r, "a refused item moved the Reader")
				return
			}
			if tc.want != nil {
				assert.Equal(t, tc.want, got)
			}
		})
	}
}

// TestReaderLimits checks that the Reader refuses what Thaw refuses for
// its limits, too many items or too deep, and at the item where Thaw
// does. Each kind of read meets the item limit in turn.
func TestReaderLimits(t *testing.T) {
	data, err := hex.DecodeString("82a16181a162c0a16301") // {a: {b: nil}, c: 1}
	require.NoError(t, err)
	// The reads that take the value apart, nil standing for EndMap.
	steps := []read{readMapHeader, readStr, readMapHeader, readStr, readNil, nil, readStr, readInt, nil}
	for _, o := range []Options{{}, {MaxDepth: 1}, {MaxDepth: 2}, {MaxItems: 1}, {MaxItems: 2}, {MaxItems: 3}, {MaxItems: 4}, {MaxItems: 5}, {MaxItems: 6}, {MaxItems: 7}} {
		s := New(o)
		r := s.NewReader(data)
		refused := -1 // the offset of the item the Reader refused
		for _, step := range steps {
			if step == nil {
				r.EndMap()
			} else if _, ok := step(&r); !ok {
				refused = r.d.pos
				break
			}
		}
		_, thawErr := s.Thaw(data)
		if thawErr == nil {
			assert.Equal(t, -1, refused, "options %+v: the Reader refused where Thaw does not", o)
			assert.True(t, r.Done(), "options %+v: the reads left bytes", o)
			continue
		}
		var e *Error
		require.ErrorAs(t, thawErr, &e)
		assert.Equal(t, e.Offset, refused, "options %+v: Thaw says %v", o, thawErr)
	}
}

// TestReaderValue checks Value and Done: a whole value as Thaw returns it,
// and trailing bytes seen.
func TestReaderValue(t *testing.T) {
	data, err := Freeze([]any{"a", int64(1), map[string]any{"k": nil}})
	require.NoError(t, err)
	want, err := Thaw(data)
	require.NoError(t, err)
	r := Default.NewReader(append(data, 0xc0))
	got, err := r.Value()
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.False(t, r.Done())
	assert.True(t, r.Nil())
	assert.True(t, r.Done())

	bad := Default.NewReader([]byte{0x92, 0xc0})
	_, err = bad.Value()
	assert.ErrorIs(t, err, ErrLength)
	assert.Equal(t, Default.NewReader([]byte{0x92, 0xc0}), bad)
}

// TestReaderNil checks that Nil consumes a nil, counting it as one item,
// and leaves anything else, or a nil past the item limit, untouched for
// the next read, which returns what Thaw would.
func TestReaderNil(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		full bool // the item count already at its limit
		want bool
		next any // what Value reads after Nil
	}{
		{name: "a nil is consumed", hex: "c0c3", want: true, next: true},
		{name: "a nil before a nil is consumed alone", hex: "c0c0", want: true, next: nil},
		{name: "a string is left for the next read", hex: "a161", next: "a"},
		{name: "a false is left for the next read", hex: "c2", next: false},
		{name: "a zero is left for the next read", hex: "00", next: int64(0)},
		{name: "an empty array is left for the next read", hex: "90", next: []any{}},
		{name: "a nil past the item limit is left", hex: "c0", full: true},
		{name: "nothing is not a nil", hex: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := hex.DecodeString(tc.hex)
			require.NoError(t, err)
			r := Default.NewReader(data)
			if tc.full {
				r.d.items = r.d.maxItems
			}
			before := r
			require.Equal(t, tc.want, r.Nil())
			if !tc.want {
				assert.Equal(t, before, r, "a refused Nil moved the Reader")
			} else {
				assert.Equal(t, before.d.pos+1, r.d.pos, "Nil did not consume the nil alone")
				assert.Equal(t, before.d.items+1, r.d.items, "Nil did not count the nil")
			}
			if r.Done() {
				return
			}
			got, err := r.Value()
			if tc.full {
				assert.ErrorIs(t, err, ErrTooMany, "Value past the item limit")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.next, got)
			assert.True(t, r.Done())
		})
	}
}
