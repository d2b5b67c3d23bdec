package storable

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wantCharString is isCharString spelt plainly.
func wantCharString(s string) bool {
	return utf8.ValidString(s) && strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 })
}

// checkLongString freezes s and checks the opcode, the length and the
// bytes.
func checkLongString(t *testing.T, s string) {
	t.Helper()
	out, err := Freeze(s)
	require.NoError(t, err)
	require.Len(t, out, 2+5+len(s))
	op := byte(sxLScalar)
	if wantCharString(s) {
		op = sxLUTF8Str
	}
	assert.Equal(t, op, out[2], "opcode")
	assert.True(t, string(out[7:]) == s, "bytes differ")
}

// TestFreezeLongStrings checks long strings around the 128-byte blocks
// copyASCII works in: where the first non-ASCII byte is, whether the
// string is valid UTF-8, and whether the buffer had room.
func TestFreezeLongStrings(t *testing.T) {
	base := strings.Repeat("abcdefgh", 100) // 800 bytes
	tests := []struct {
		name string
		s    string
	}{
		{"ASCII, 256 bytes", base[:256]},
		{"ASCII, not a multiple of 128", base[:300]},
		{"ASCII, 64 KiB", strings.Repeat("x", 64<<10)},
		{"UTF-8 in the first block", "é" + base[:400]},
		{"UTF-8 at the end of a block", base[:127] + "\xc3\xa9" + base[:200]},
		{"UTF-8 across two blocks", base[:255] + "\xc3\xa9" + base[:200]},
		{"UTF-8 in the tail", base[:512] + "é"},
		{"UTF-8 as the last byte pair", base[:510] + "é"},
		{"Latin-1 in a block", base[:200] + "\xe9" + base[:200]},
		{"Latin-1 in the tail", base[:400] + "\xe9"},
		{"UTF-8 then Latin-1", base[:130] + "é" + base[:300] + "\xe9"},
		{"a cut UTF-8 sequence at the end", base[:300] + "\xe2\x98"},
		{"non-ASCII only", strings.Repeat("☃", 200)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkLongString(t, tc.s) })
	}
}

// TestFreezeLongStringIntoRoom checks a long string frozen into a buffer
// that already has room for it, next to bytes that must stay.
func TestFreezeLongStringIntoRoom(t *testing.T) {
	s := strings.Repeat("ab", 300) + "é" + strings.Repeat("cd", 300)
	dst := make([]byte, 3, 4096)
	copy(dst, "pre")
	out, err := Default.Freeze(dst, s)
	require.NoError(t, err)
	assert.Equal(t, "pre", string(out[:3]))
	assert.Equal(t, byte(sxLUTF8Str), out[5])
	assert.Equal(t, s, string(out[10:]))
}

// TestCopyASCII checks copyASCII on strings up to 600 bytes with a
// non-ASCII byte at several places: the exact count the assembly must
// copy, or none from the fallback.
func TestCopyASCII(t *testing.T) {
	for size := range 600 {
		for _, hi := range []int{-1, 0, size / 3, size - 1} {
			src := []byte(strings.Repeat("q", size))
			if hi >= 0 && hi < size {
				src[hi] = 0xc0
			}
			dst := make([]byte, size)
			n := copyASCII(dst, string(src))
			require.LessOrEqual(t, n, size)
			if haveCopyASCII {
				// The one pass copies every whole 128-byte block before
				// the first non-ASCII byte.
				clean := size
				if hi >= 0 && hi < size {
					clean = hi
				}
				assert.Equal(t, clean&^127, n, "size %d, high byte at %d", size, hi)
			} else {
				assert.Zero(t, n, "the fallback copies nothing")
			}
			assert.Equal(t, src[:n], dst[:n], "size %d, high byte at %d", size, hi)
			assert.Equal(t, -1, bytes.IndexFunc(src[:n], func(r rune) bool { return r >= 0x80 }))
		}
	}
}

// FuzzFreezeString checks that any string freezes to its own bytes with
// the opcode its content calls for.
func FuzzFreezeString(f *testing.F) {
	f.Add(strings.Repeat("a", 300), 0, byte(0xe9))
	f.Add(strings.Repeat("b", 1000), 700, byte(0xc3))
	f.Fuzz(func(t *testing.T, s string, at int, b byte) {
		if len(s) < 256 {
			s += strings.Repeat("z", 256-len(s))
		}
		if at >= 0 && at < len(s) {
			s = s[:at] + string([]byte{b}) + s[at+1:]
		}
		checkLongString(t, s)
	})
}

// TestIsCharString checks the ASCII scan's loads, overlapping or not, on
// every length up to a few blocks and every position of a non-ASCII
// character, valid UTF-8 or not.
func TestIsCharString(t *testing.T) {
	for n := range 150 {
		ascii := strings.Repeat("k", n)
		require.False(t, isCharString(ascii), "length %d", n)
		for at := range n {
			for _, c := range []string{"\xe9", "é"} {
				s := ascii[:at] + c + ascii[at:]
				assert.Equal(t, wantCharString(s), isCharString(s), "%q", s)
				s = s[:len(s)-len(c)]
				assert.Equal(t, wantCharString(s), isCharString(s), "%q", s)
			}
		}
	}
}
