package storable

import (
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThawNative reads freeze's native-order images. The little-endian
// 64-bit ones are Perl 5.36's (Storable 3.26) on x86-64; the others are
// built to the same layout for the byte orders and IV sizes Perl's
// header names. SX_OBJECT's tag stays big-endian in every order.
func TestThawNative(t *testing.T) {
	tests := []struct {
		name, img string
		want      any
	}{
		{"little-endian 64-bit numbers from Perl", "040b08313233343536373804080808 0203000000 062c01000000000000 070000000000000440 0a0173",
			[]any{int64(300), 2.5, "s"}},
		{"little-endian 64-bit shared array from Perl", "040b08313233343536373804080808 0302000000 0402020000000881088201000000 61 040000000002 0100000062",
			map[string]any{"a": []any{int64(1), int64(2)}, "b": []any{int64(1), int64(2)}}},
		{"big-endian 64-bit", "040b08383736353433323104080808 0200000003 06000000000000012c 074004000000000000 0a0173",
			[]any{int64(300), 2.5, "s"}},
		{"big-endian 64-bit shared array", "040b08383736353433323104080808 0300000002 0402000000020881088200000001 61 040000000002 0000000162",
			map[string]any{"a": []any{int64(1), int64(2)}, "b": []any{int64(1), int64(2)}}},
		{"little-endian 32-bit IVs", "040b0431323334040404 08 0203000000 062c010000 06ffffffff 070000000000000440",
			[]any{int64(300), int64(-1), 2.5}},
		{"big-endian 32-bit IVs", "040b0434333231040404 08 0200000003 060000012c 06ffffffff 074004000000000000",
			[]any{int64(300), int64(-1), 2.5}},
		{"a blessed hash with a long class, little-endian", "040b08313233343536373804080808 1180 82000000 " + strings.Repeat("43", 130) + " 0300000000",
			serial.Blessed{Class: strings.Repeat("C", 130), Value: map[string]any{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Thaw(unhex(t, tc.img))
			require.NoError(t, err)
			assert.Equal(t, tc.want, v)
		})
	}
}

// TestThawNativeRejects checks the native headers and items Thaw refuses.
func TestThawNativeRejects(t *testing.T) {
	tests := []struct {
		name   string
		img    string
		want   error
		offset int
	}{
		{"an unknown byte order", "040b0431323335040404080505", ErrHeader, 3},
		{"a 16-byte NV", "040b08313233343536373804080810 05", ErrHeader, 14},
		{"a header cut before its byte order", "040b", ErrTruncated, 2},
		{"a native integer cut short", "040b0431323334040404 08 06 2c01", ErrTruncated, 12},
		{"a cut SX_OBJECT tag", "040b08313233343536373804080808 0202000000 0881 000000", ErrTruncated, 23},
		{"a negative SX_OBJECT tag", "040b08313233343536373804080808 0202000000 0881 00ffffffff", ErrLength, 23},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Thaw(unhex(t, tc.img))
			require.ErrorIs(t, err, tc.want)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.offset, e.Offset, "%v", err)
		})
	}
}

// TestThawThinErrors covers the rest of the refusals: an SX_LOBJECT cut
// inside its 9-octet head, MaxItems reached on a long string, and an
// opcode past Storable's last one named as unknown.
func TestThawThinErrors(t *testing.T) {
	_, err := Thaw(unhex(t, "050b210200"))
	assert.ErrorIs(t, err, ErrTruncated)
	_, err = New(Options{MaxItems: 1}).Thaw(unhex(t, "050b0200000001 0100000001 78"))
	assert.ErrorIs(t, err, ErrTooMany)
	assert.Equal(t, "unknown", opName(sxLast))
	assert.Equal(t, "SX_BOOLEAN_FALSE", opName(sxLast-1))
}
