package freezethaw

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThawScalars checks what each scalar text thaws to: int64 for an
// integer as Perl prints one that fits, the text itself otherwise.
func TestThawScalars(t *testing.T) {
	tests := map[string]any{
		"0": int64(0), "1": int64(1), "-1": int64(-1), "42": int64(42), "-300": int64(-300),
		"9223372036854775807":  int64(math.MaxInt64),
		"-9223372036854775808": int64(math.MinInt64),
		"9223372036854775808":  "9223372036854775808",
		"-9223372036854775809": "-9223372036854775809",
		"18446744073709551615": "18446744073709551615",
		"-0":                   "-0",
		"007":                  "007",
		"+1":                   "+1",
		" 1":                   " 1",
		"1 ":                   "1 ",
		"-3.5":                 "-3.5",
		"2.5":                  "2.5",
		"1e+20":                "1e+20",
		"1e3":                  "1e3",
		"Inf":                  "Inf",
		"NaN":                  "NaN",
		"0x10":                 "0x10",
		"-":                    "-",
		"":                     "",
		"abc":                  "abc",
	}
	for text, want := range tests {
		t.Run(text, func(t *testing.T) {
			img := "FrT;@1|$" + strconv.Itoa(len(text)) + "|" + text
			got, err := Thaw([]byte(img))
			require.NoError(t, err)
			assert.Equal(t, want, got)
			out, err := Freeze(got)
			require.NoError(t, err)
			assert.Equal(t, img, string(out), "freezes back to the same text")
		})
	}
}

// TestThawCharacterLengths checks images whose string lengths count
// characters, as a Perl peer sends them when its record holds a character
// string.
func TestThawCharacterLengths(t *testing.T) {
	got, err := Thaw([]byte("FrT;@1|%4|$1|k$2|\xc3\xbfx$4|caf\xc3\xa9$2|\xe2\x98\xba!"))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"k": "café", "ÿx": "☺!"}, got)
	got, err = Thaw([]byte("FrT;@1|>>0|$2|\xc3\x9c1%2|$1|a/3|\xc3\xa9+$"))
	require.NoError(t, err)
	assert.Equal(t, serial.Blessed{Class: "Ü1", Value: map[string]any{"a": serial.Blessed{Class: "Regexp", Value: "é+$"}}}, got)
	// Lengths in bytes are tried first.
	got, err = Thaw([]byte("FrT;@1|$5|caf\xc3\xa9"))
	require.NoError(t, err)
	assert.Equal(t, "café", got)
	// This image reads both ways: ["éx", \undef] with lengths in bytes,
	// ["éx\", undef] with lengths in characters.
	got, err = Thaw([]byte("FrT;@1|@2|$3|\xc3\xa9x\\_"))
	require.NoError(t, err)
	assert.Equal(t, []any{"éx", &serial.Ref{}}, got, "lengths in bytes first")
	c := newDecoder([]byte("FrT;@1|@2|$3|\xc3\xa9x\\_"), Options{}, true)
	got, err = c.image()
	require.NoError(t, err)
	assert.Equal(t, []any{"éx\\", nil}, got)
	// Two characters claimed: three bytes are left, but one character.
	c = newDecoder([]byte("FrT;@1|$2|\xe2\x98\xba"), Options{}, true)
	_, err = c.image()
	assert.ErrorIs(t, err, ErrLength)
	// Not valid UTF-8: lengths are bytes, and the error is theirs.
	_, err = Thaw([]byte("FrT;@1|$4|caf\xe9\xe9"))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, ErrTrailing)
	assert.Equal(t, 14, e.Offset)
	_, err = Thaw([]byte("FrT;@1|$" + strconv.Itoa(201) + "|" + strings.Repeat("é", 100)))
	assert.ErrorIs(t, err, ErrLength)
}

// TestThawSharedForward checks a shared array named before its content
// is read: every place that named it holds the one array in the end.
func TestThawSharedForward(t *testing.T) {
	img := "FrT;!2|%0|@0|\\_%6|$1|a$1|b$1|r<1|<1|<2|@2|<0|$1|x\\<1|@1|@3|<0|<1|<2|"
	v, err := Thaw([]byte(img))
	require.NoError(t, err)
	top := v.([]any)
	h, a, r := top[0].(map[string]any), top[1].([]any), top[2].(*serial.Ref)
	require.Len(t, a, 2)
	assert.Same(t, &a[0], &h["a"].([]any)[0], "h.a is the array")
	assert.Same(t, &a[0], &h["b"].([]any)[0], "h.b is the array")
	assert.Same(t, r, h["r"])
	assert.Equal(t, "x", a[1])
	assert.Equal(t, reflect.ValueOf(h).Pointer(), reflect.ValueOf(a[0]).Pointer(), "a[0] is h")
	assert.Same(t, &a[0], &r.Value.([]any)[0])
	out, err := Freeze(v)
	require.NoError(t, err)
	assert.Equal(t, img, string(out))
}

// TestThawDuplicateKeys checks that a key met twice keeps its last value,
// as in Perl, also when the first or the last is a shared object not made
// yet.
func TestThawDuplicateKeys(t *testing.T) {
	got, err := Thaw([]byte("FrT;@1|%4|$1|a$1|a$1|x$1|y"))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": "y"}, got)

	// Object 1, an array, is made after object 0's content names it.
	got, err = Thaw([]byte("FrT;!1|%0|@0|%4|$1|a$1|a<1|$1|z@1|$1|q@1|<0|"))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": "z"}, got, "the string named last stays")
	got, err = Thaw([]byte("FrT;!1|%0|@0|%4|$1|a$1|a$1|z<1|@1|$1|q@1|<0|"))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": []any{"q"}}, got, "the array named last is filled in")
}

// TestThawBlessedReferences checks what a blessed reference to a
// reference thaws to: the blessed container itself for a reference to a
// hash or an array (bless \{...}, as package storable gives it), a
// blessed *serial.Ref for one to a scalar reference.
func TestThawBlessedReferences(t *testing.T) {
	tests := []struct {
		name, img string
		want      any
	}{
		{"bless \\{a => 1}", "FrT;@1|>>0|$1|R\\%2|$1|a$1|1", serial.Blessed{Class: "R", Value: map[string]any{"a": int64(1)}}},
		{"bless \\[1]", "FrT;@1|>>0|$1|R\\@1|$1|1", serial.Blessed{Class: "R", Value: []any{int64(1)}}},
		{"bless \\\\'x'", "FrT;@1|>>0|$1|R\\\\$1|x", serial.Blessed{Class: "R", Value: &serial.Ref{Value: "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Thaw([]byte(tc.img))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestErrorText checks the message of an *Error: offset, tag and its
// kind, problem and detail.
func TestErrorText(t *testing.T) {
	tests := map[string]string{
		"FrX;":                `freezethaw: offset 0: bad FreezeThaw signature: image starts "FrX;", want "FrT;"`,
		"FrT;@1|#":            `freezethaw: offset 7 (tag '#'): unknown tag: not allowed as a value`,
		"FrT;@1|\xc3\xa9":     `freezethaw: offset 7 (tag byte 0xc3): unknown tag: not allowed as a value`,
		"FrT;@1|>":            `freezethaw: offset 8 (tag '>' object): truncated data: image ends at byte 8`,
		"FrT;@1|/9|x":         `freezethaw: offset 7 (tag '/' regexp): length past the end: claims 9 bytes, only 1 left`,
		"FrT;@1|{":            `freezethaw: offset 7 (tag '{' object allocation): malformed item: misplaced: not allowed as a value`,
		"FrT;@1|>)0|%0|":      `freezethaw: offset 8 (tag ')' package): reference to an object that does not exist: package id 0 not named yet (0 so far)`,
		"FrT;!0|%0|@0|@1|<0|": `freezethaw: offset 10 (tag '@' array): malformed item: shared object 0 was made as tag '%' hash, its content is tag '@' array`,
		"FrT;@1|_\x00":        `freezethaw: offset 8: trailing bytes after the image: 1 bytes`,
	}
	for img, want := range tests {
		_, err := Thaw([]byte(img))
		require.Error(t, err, "%q", img)
		assert.Equal(t, want, err.Error(), "%q", img)
	}
}

// TestConcurrentUse checks that a Serializer is safe for concurrent use,
// as documented: the encoders and scratch buffers Freeze and Thaw take
// from their pools are never shared between goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	shared := []any{"s", int64(1000)}
	values := []any{
		map[string]any{"event": "poe://Server/echo/echo", "params": []any{int64(1), "two"}},
		map[string]any{"a": shared, "b": shared, "o": serial.Blessed{Class: "C", Value: map[string]any{"k": shared}}},
		[]any{"caf\xc3\xa9", &serial.Ref{Value: "x"}},
	}
	images := make([][]byte, len(values))
	for i, v := range values {
		var err error
		images[i], err = Freeze(v)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var buf []byte
			for n := range 200 {
				i := (g + n) % len(values)
				v, err := Default.Thaw(images[i])
				if err != nil {
					t.Errorf("thaw %d: %v", i, err)
					return
				}
				buf, err = Default.Freeze(buf[:0], v)
				if err != nil || string(buf) != string(images[i]) {
					t.Errorf("image %d froze to %q (%v), want %q", i, buf, err, images[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
