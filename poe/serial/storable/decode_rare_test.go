package storable

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// perlImage returns nfreeze([...]) of one item as Perl's Storable 3.26
// writes it: the network-order header, an array of one, then item.
func perlImage(t *testing.T, item string) []byte {
	t.Helper()
	b, err := hex.DecodeString("050b" + "0200000001" + item)
	require.NoError(t, err)
	return b
}

// TestThawRare checks the opcodes IKC records never hold but Perl data
// may: vstrings (SX_VSTRING, SX_LVSTRING), whose magic is skipped for the
// string they hold, and qr// (SX_REGEXP, blessed Regexp), read as Perl
// stringifies it. The images are Perl's; the long forms are built to the
// layout Perl writes for them (a 4-octet length).
func TestThawRare(t *testing.T) {
	hexOf := func(s string) string { return hex.EncodeToString([]byte(s)) }
	long := strings.Repeat("a", 300)
	lvMagic := "v" + strings.Repeat("65.", 299) + "65"
	tests := []struct {
		name string
		item string // hex, after the array header
		want any
	}{
		{"vstring v1.22.333", "1d0976312e32322e33333317040116c58d", "\x01\x16\u014d"},
		{"long vstring", "1e00000384" + hexOf(lvMagic) + "010000012c" + hexOf(strings.Repeat("A", 300)), strings.Repeat("A", 300)},
		{"qr/ab+c/i", "04110652656765787020000461622b630169", serial.Blessed{Class: "Regexp", Value: "(?^i:ab+c)"}},
		{"qr/x/ without flags", "0411065265676578702000017800", serial.Blessed{Class: "Regexp", Value: "(?^:x)"}},
		{"qr/x/msix", "04110652656765787020000178046d736978", serial.Blessed{Class: "Regexp", Value: "(?^msix:x)"}},
		{"qr// with a long pattern", "041106526567657870" + "2001" + "0000012c" + hexOf(long) + "016d", serial.Blessed{Class: "Regexp", Value: "(?^m:" + long + ")"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := perlImage(t, tc.item)
			v, err := Thaw(img)
			require.NoError(t, err)
			assert.Equal(t, []any{tc.want}, v)
			// Cut anywhere inside the item, the image is refused as
			// truncated or as claiming more than it holds, and nothing
			// panics.
			for cut := len(img) - 1; cut > len(perlImage(t, "")); cut-- {
				_, err := Thaw(img[:cut])
				require.Error(t, err, "cut at %d", cut)
				assert.True(t, errors.Is(err, ErrTruncated) || errors.Is(err, ErrLength), "cut at %d: %v", cut, err)
			}
		})
	}
}
