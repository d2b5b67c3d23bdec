package msgpack

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/poe-go/poe/poe/serial/serialtest"
)

// FuzzThaw checks that Thaw never panics or runs away, and that whatever
// it accepts freezes and thaws back to the same value.
func FuzzThaw(f *testing.F) {
	for _, v := range []any{serialtest.Record(), "x", []any{1, "a", nil}} {
		b, err := Freeze(v)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Thaw(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		out, err := Freeze(v)
		if err != nil {
			t.Fatalf("thawed %x but cannot freeze it: %v", data, err)
		}
		v2, err := Thaw(out)
		if err != nil {
			t.Fatalf("cannot thaw own output %x: %v", out, err)
		}
		out2, err := Freeze(v2)
		if err != nil {
			t.Fatal(err)
		}
		v3, err := Thaw(out2)
		if err != nil {
			t.Fatal(err)
		}
		// NaN never equals itself and map order varies: compare the
		// second and third generations as values.
		require.Equal(t, len(out), len(out2))
		if !bytes.Equal(out, out2) {
			require.Equal(t, fmtValue(v2), fmtValue(v3))
		}
	})
}

// FuzzReader drives a Reader through reads the fuzzer picks and checks
// that none panics, that a refused read leaves the Reader as it was, and
// that an accepted one moves past exactly one item, returning what Thaw
// returns for the bytes it consumed.
func FuzzReader(f *testing.F) {
	record, err := Freeze(serialtest.Record())
	require.NoError(f, err)
	f.Add([]byte{3, 1, 4, 1, 0, 1, 2, 5}, record)
	f.Add([]byte{0, 0, 1, 2, 3, 1, 4, 5, 4}, []byte{0xc0, 0xa1, 'a', 0x01, 0x81, 0xa1, 'k', 0xc3, 0x90})
	s := New(Options{MaxDepth: 4, MaxItems: 32}) // small, so the fuzzer reaches them
	f.Fuzz(func(t *testing.T, ops, data []byte) {
		r := s.NewReader(data)
		for _, op := range ops {
			i := int(op) % (len(fuzzReads) + 1)
			if i == len(fuzzReads) {
				if r.d.depth > 0 {
					r.EndMap()
				}
				continue
			}
			before := r.d
			got, ok := fuzzReads[i].read(&r)
			checkRead(t, i, before, r.d, got, ok)
		}
	})
}

// fuzzReads are the reads FuzzReader picks from, by an op modulo one
// more than their number: the one more is EndMap.
var fuzzReads = []struct {
	read      read
	entersMap bool
}{{readNil, false}, {readStr, false}, {readInt, false}, {readMapHeader, true}, {readValue, false}}

// checkRead checks read number i of FuzzReader, which took the Reader's
// decoder from before to after.
func checkRead(t *testing.T, i int, before, after decoder, got any, ok bool) {
	t.Helper()
	if !ok {
		if after.pos != before.pos || after.depth != before.depth || after.items != before.items {
			t.Fatalf("read %d refused at %d but moved the Reader", i, before.pos)
		}
		return
	}
	require.Greater(t, after.pos, before.pos, "read %d read nothing", i)
	item := before.data[before.pos:after.pos]
	if fuzzReads[i].entersMap { // the pairs follow
		require.Equal(t, before.depth+1, after.depth, "MapHeader did not enter the map")
		require.LessOrEqual(t, 2*got.(int), len(after.data)-after.pos, "MapHeader of %x", item)
		return
	}
	want, err := Thaw(item)
	require.NoError(t, err, "read %d read %x, which Thaw refuses", i, item)
	require.Equal(t, fmtValue(want), fmtValue(got), "read %d read %x", i, item)
}
