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
