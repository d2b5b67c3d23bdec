package storable

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial/serialtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThawDoesNotAliasImage checks that what Thaw returns owns its text:
// the caller may overwrite the image at once, and the strings and keys
// survive garbage collection whatever slab or block holds them.
func TestThawDoesNotAliasImage(t *testing.T) {
	many := make([]any, 300) // more strings than the text block has headers
	for i := range many {
		many[i] = fmt.Sprintf("s%03d", i)
	}
	manyKeys := map[string]any{}
	for i := range 100 {
		manyKeys[fmt.Sprintf("key%02d", i)] = strings.Repeat("v", i)
	}
	tests := []struct {
		name string
		v    any
	}{
		{"an IKC record", serialtest.Record()},
		{"a 64 KiB string", strings.Repeat("x", 64<<10)},
		{"a string just under the text block limit", strings.Repeat("y", textBlockMax-8)},
		{"a string just over the text block limit", strings.Repeat("z", textBlockMax+8)},
		{"more strings than headers", many},
		{"a hash whose first text is a key", map[string]any{"k": int64(7), "l": "v"}},
		{"many keys", manyKeys},
		{"an empty string", ""},
		{"long strings in an array", []any{strings.Repeat("a", 300), "b", strings.Repeat("c", 70000)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Freeze(tc.v)
			require.NoError(t, err)
			want, err := Thaw(img)
			require.NoError(t, err)
			var got []any
			for range 20 {
				data := append([]byte(nil), img...)
				v, err := Thaw(data)
				require.NoError(t, err)
				for i := range data {
					data[i] = 0xAA
				}
				got = append(got, v)
			}
			runtime.GC()
			_ = strings.Repeat("garbage", 1<<16) // reuse of freed memory
			runtime.GC()
			for _, v := range got {
				assert.Equal(t, want, v)
			}
		})
	}
}

// TestThawBorrowSharesImage checks the other side: with Options.Borrow
// strings are the image's bytes.
func TestThawBorrowSharesImage(t *testing.T) {
	img, err := Freeze([]any{"abc"})
	require.NoError(t, err)
	v, err := New(Options{Borrow: true}).Thaw(img)
	require.NoError(t, err)
	img[len(img)-1] = 'x'
	assert.Equal(t, []any{"abx"}, v)
}
