package msgpack

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	mp "github.com/vmihailenco/msgpack/v5"
)

// headerCase is a value of n items or octets whose frozen form must start
// with header, the bytes the MessagePack spec gives for that kind and size.
type headerCase struct {
	kind   string
	n      int
	header string // hex
}

// headerCases lists every header width of str, bin, array and map on both
// sides of each boundary between two widths.
var headerCases = []headerCase{
	{"str", 0, "a0"},
	{"str", 31, "bf"},
	{"str", 32, "d920"},
	{"str", 255, "d9ff"},
	{"str", 256, "da0100"},
	{"str", 65535, "daffff"},
	{"str", 65536, "db00010000"},
	{"bin", 0, "c400"},
	{"bin", 255, "c4ff"},
	{"bin", 256, "c50100"},
	{"bin", 65535, "c5ffff"},
	{"bin", 65536, "c600010000"},
	{"array", 0, "90"},
	{"array", 15, "9f"},
	{"array", 16, "dc0010"},
	{"array", 65535, "dcffff"},
	{"array", 65536, "dd00010000"},
	{"map", 0, "80"},
	{"map", 15, "8f"},
	{"map", 16, "de0010"},
	{"map", 65535, "deffff"},
	{"map", 65536, "df00010000"},
}

// String names the case as "a str of 31", "an array of 16".
func (c headerCase) String() string {
	article := "a"
	if c.kind == "array" {
		article = "an"
	}
	return fmt.Sprintf("%s %s of %d", article, c.kind, c.n)
}

// value returns the Go value to freeze and the value Thaw must return.
func (c headerCase) value() (in, want any) {
	switch c.kind {
	case "str":
		s := strings.Repeat("s", c.n)
		return s, s
	case "bin":
		b := bytes.Repeat([]byte{0xb1}, c.n)
		return b, string(b)
	case "array":
		a, w := make([]any, c.n), make([]any, c.n)
		for i := range a {
			a[i], w[i] = i%128, int64(i%128)
		}
		return a, w
	}
	m, w := make(map[string]any, c.n), make(map[string]any, c.n)
	for i := range c.n {
		k := strconv.Itoa(i)
		m[k], w[k] = i%128, int64(i%128)
	}
	return m, w
}

// assertReadBack checks that who read back the value frozen. The values
// run to 64 Ki items, so a failure shows where their dumps part, not
// the whole of each.
func assertReadBack(t *testing.T, who string, want, got any) {
	t.Helper()
	if reflect.DeepEqual(want, got) {
		return
	}
	g, w := fmtValue(got), fmtValue(want)
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	t.Errorf("%s read back a value whose dump parts from the one frozen at character %d of %d: %.40q, want %.40q",
		who, i, len(w), g[i:], w[i:])
}

// TestFreezeHeadersAtBoundaries checks the header Freeze writes for str,
// bin, array and map at each size where the spec changes the header's
// width, and that Thaw, the Reader and the MessagePack library all read
// the value back.
func TestFreezeHeadersAtBoundaries(t *testing.T) {
	for _, tc := range headerCases {
		t.Run(fmt.Sprintf("%s has header %s", tc, tc.header), func(t *testing.T) {
			in, want := tc.value()
			header, err := hex.DecodeString(tc.header)
			require.NoError(t, err)
			data, err := Freeze(in)
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(data), len(header))
			assert.Equal(t, tc.header, hex.EncodeToString(data[:len(header)]), "header")

			got, err := Thaw(data)
			require.NoError(t, err)
			assertReadBack(t, "Thaw", want, got)

			r := Default.NewReader(data)
			got, err = r.Value()
			require.NoError(t, err)
			assertReadBack(t, "Reader.Value", want, got)
			assert.True(t, r.Done(), "Reader.Value left bytes")

			var ref any
			require.NoError(t, mp.Unmarshal(data, &ref))
			assertReadBack(t, "the library", want, normalize(ref))
		})
	}
}

// TestReaderHeadersAtBoundaries checks that Str and MapHeader read every
// header width Freeze writes, at the same boundaries.
func TestReaderHeadersAtBoundaries(t *testing.T) {
	for _, tc := range headerCases {
		if tc.kind == "array" {
			continue // the Reader reads arrays only through Value
		}
		t.Run(tc.String(), func(t *testing.T) {
			in, want := tc.value()
			data, err := Freeze(in)
			require.NoError(t, err)
			r := Default.NewReader(data)
			if tc.kind != "map" {
				b, ok := r.Str()
				require.True(t, ok, "Str refused it")
				assertReadBack(t, "Str", want, string(b))
				assert.True(t, r.Done(), "Str left bytes")
				return
			}
			n, ok := r.MapHeader()
			require.True(t, ok, "MapHeader refused it")
			assert.Equal(t, tc.n, n)
			got := make(map[string]any, n)
			for range n {
				k, ok := r.Str()
				require.True(t, ok, "a key")
				v, ok := r.Int()
				require.True(t, ok, "a value")
				got[string(k)] = v
			}
			r.EndMap()
			assertReadBack(t, "MapHeader and the pairs", want, got)
			assert.True(t, r.Done(), "the pairs left bytes")
		})
	}
}
