package storable

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func unhex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

// TestThawRejects feeds malformed images: each must fail with the right
// problem and name the offset where it was found.
func TestThawRejects(t *testing.T) {
	deep := append([]byte{0x05, 0x0b}, bytes.Repeat([]byte{sxRef}, 600)...)
	deep = append(deep, sxUndef)
	tests := []struct {
		name   string
		data   []byte
		want   error
		offset int
	}{
		{"an empty image has no header", nil, ErrHeader, 0},
		{"a newer major version is refused", unhex(t, "0700"), ErrHeader, 0},
		{"a header alone is truncated", unhex(t, "050b"), ErrTruncated, 2},
		{"a string longer than the image", unhex(t, "050b0a0568656c"), ErrLength, 2},
		{"a long string claiming 2 GiB", unhex(t, "050b017fffffff61"), ErrLength, 2},
		{"a negative length", unhex(t, "050b01ffffffff"), ErrLength, 3},
		{"a cut SX_NETINT", unhex(t, "050b090001"), ErrTruncated, 3},
		{"an array counting more items than bytes", unhex(t, "050b027fffffff0880"), ErrLength, 2},
		{"a hash counting more entries than bytes", unhex(t, "050b0300100000088000000001"), ErrLength, 2},
		{"a hash key past the end", unhex(t, "050b0300000001088000000009 61"), ErrLength, 9},
		{"an opcode Storable never defined", unhex(t, "050b02000000020880 30"), ErrOpcode, 9},
		{"an object tag not seen yet", unhex(t, "050b02000000020a017800000000 09"), ErrObjectTag, 10},
		{"a class index not seen yet", unhex(t, "050b120302000000"), ErrObjectTag, 2},
		{"nesting past the limit", deep, ErrTooDeep, 2 + DefaultMaxDepth},
		{"a code reference", unhex(t, "050b1a0a0373756200"), ErrUnsupported, 2},
		{"a STORABLE_freeze hook", unhex(t, "050b1302024866"), ErrUnsupported, 2},
		{"a tied hash", unhex(t, "050b0c0300000000"), ErrUnsupported, 2},
		{"a native integer in network order", unhex(t, "050b060000000000000001"), ErrUnsupported, 2},
		{"bytes after the image", unhex(t, "050b0505"), ErrTrailing, 3},
		{"a truncated native header", unhex(t, "040b083132"), ErrTruncated, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Thaw(tc.data)
			require.Error(t, err, "thawed %#v", v)
			assert.ErrorIs(t, err, tc.want)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.offset, e.Offset, "error: %v", err)
			assert.Contains(t, err.Error(), fmt.Sprintf("offset %d", tc.offset))
		})
	}
}

// TestThawItemLimit checks Options.MaxItems.
func TestThawItemLimit(t *testing.T) {
	s := New(Options{MaxItems: 3})
	_, err := s.Thaw(unhex(t, "050b02000000050881088108810881 0881"))
	assert.ErrorIs(t, err, ErrTooMany)
	_, err = s.Thaw(unhex(t, "050b020000000208810881"))
	assert.NoError(t, err)
}

// TestThawDoesNotTrustLengths checks that a length claiming gigabytes
// allocates nothing near it.
func TestThawDoesNotTrustLengths(t *testing.T) {
	for _, in := range []string{"050b017fffffff", "050b027fffffff", "050b037fffffff", "050b187fffffff", "050b21010000000100000000"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Thaw(unhex(t, in))
		runtime.ReadMemStats(&after)
		assert.Error(t, err)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), in)
	}
}

// TestFreezeRefuses checks the Go values Perl has no scalar for.
func TestFreezeRefuses(t *testing.T) {
	for _, v := range []any{func() {}, make(chan int), complex(1, 2), map[float64]int{1: 1}} {
		_, err := Freeze(map[string]any{"x": v})
		assert.ErrorIs(t, err, ErrFreeze, "%T", v)
	}
	type loop struct{ Next any }
	l := &loop{}
	l.Next = l
	_, err := Freeze(l)
	assert.True(t, errors.Is(err, ErrTooDeep), "%v", err)
}
