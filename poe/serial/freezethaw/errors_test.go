package freezethaw

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThawRejects feeds malformed images: each must fail with the right
// problem and name the offset where it was found.
func TestThawRejects(t *testing.T) {
	deep := "FrT;@1|" + strings.Repeat(`\`, 600) + "_"
	tests := []struct {
		name   string
		data   string
		want   error
		offset int
	}{
		{"an empty image has no signature", "", ErrHeader, 0},
		{"another signature", "FrX;@1|_", ErrHeader, 0},
		{"a signature alone is truncated", "FrT;", ErrTruncated, 4},
		{"the top array without its value", "FrT;@1|", ErrTruncated, 7},
		{"a count without its bar", "FrT;@1|$1x", ErrFormat, 9},
		{"a tag without its count", "FrT;@1|$", ErrTruncated, 8},
		{"a count without digits", "FrT;@1|$|", ErrFormat, 8},
		{"a string longer than the image", "FrT;@1|$5|abc", ErrLength, 7},
		{"a string claiming 20 digits of bytes", "FrT;@1|$99999999999999999999|x", ErrLength, 7},
		{"a count of 21 digits", "FrT;@1|$123456789012345678901|x", ErrFormat, 8},
		{"a count ended by a byte above 0x7F", "FrT;@1|$1\xff", ErrFormat, 9},
		{"an array claiming billions of elements", "FrT;@1|@4000000000|_", ErrLength, 7},
		{"a hash claiming billions of keys", "FrT;@1|%4000000000|", ErrLength, 7},
		{"a table claiming billions of objects", "FrT;!4000000000|@1|_", ErrLength, 4},
		{"an array cut short", "FrT;@1|@2|$1|a", ErrTruncated, 14},
		{"a hash with an odd count", "FrT;@1|%3|$1|a$1|b$1|c", ErrFormat, 7},
		{"a hash key that is not a string", "FrT;@1|%2|_$1|b", ErrFormat, 10},
		{"a tag FreezeThaw never writes", "FrT;@1|#", ErrTag, 7},
		{"a shared object in an image without a table", "FrT;@1|<0|", ErrBackRef, 7},
		{"a shared object the table does not have", "FrT;!0|%0|%0|@1|<1|", ErrBackRef, 16},
		{"a shared object in the table's empty half", "FrT;!1|%0|<0|%0|%0|@1|_", ErrBackRef, 10},
		{"a code reference", "FrT;@1|&$4|CODE", ErrUnsupported, 7},
		{"a glob", "FrT;@1|*$4|main", ErrUnsupported, 7},
		{"safeFreeze's stamp", "FrT;?$3|abc@1|_", ErrUnsupported, 4},
		{"safeFreeze's cached data", "FrT;@1|?$3|abc", ErrUnsupported, 7},
		{"bytes after the image", "FrT;@1|__", ErrTrailing, 8},
		{"freeze of two values", "FrT;@2|__", ErrFormat, 4},
		{"a top level that is not freeze's arguments", "FrT;%2|$1|a_", ErrFormat, 4},
		{"a package never named", "FrT;@1|>)0|%0|", ErrBackRef, 8},
		{"a new package out of order", "FrT;@1|>>1|$1|C%0|", ErrFormat, 8},
		{"an empty package name", "FrT;@1|>>0|$0|%0|", ErrFormat, 8},
		{"an object without a package", "FrT;@1|>%0|", ErrFormat, 8},
		{"an object holding a plain scalar", "FrT;@1|>>0|$1|C$1|x", ErrFormat, 15},
		{"a misplaced allocation", "FrT;@1|{>0|$1|C%0|", ErrFormat, 7},
		{"nesting past the limit", deep, ErrTooDeep, 7 + DefaultMaxDepth},
		{"a table entry that is not empty", "FrT;!0|%2|$1|a_%0|@1|<0|", ErrFormat, 7},
		{"a table reference that is not empty", "FrT;!0|\\$1|x\\_@1|<0|", ErrFormat, 8},
		{"a table entry that is a string", "FrT;!0|$1|x$1|x@1|<0|", ErrTag, 7},
		{"a table entry that is code", "FrT;!0|&$4|CODE@1|<0|", ErrUnsupported, 7},
		{"a blessed table regexp", "FrT;!0|{>0|$1|C/1|x})0|/1|x@1|<0|", ErrFormat, 15},
		{"a table object filled without its package", "FrT;!0|{>0|$1|C%0|%0|@1|<0|", ErrFormat, 18},
		{"a table entry filled with another type", "FrT;!0|%0|@1|_@1|<0|", ErrFormat, 10},
		{"a table object filled as another class", "FrT;!0|{>0|$1|A%0|}>1|$1|B%0|@1|<0|", ErrFormat, 18},
		{"a cycle through a blessed scalar", "FrT;!0|{>0|$1|S\\_})0|\\<0|@1|<0|", ErrUnsupported, 21},
		// Perl's freeze($a) for $a = bless(\$b, 'S'), $b = bless(\$a, 'S'):
		// two blessed scalars holding each other, the second inside the
		// first's content; then the same with both in the table, which
		// Perl's thaw also restores.
		{"a cycle through two blessed scalars", "FrT;!0|{>0|$1|S\\_})0|\\>)0|\\<0|@1|<0|", ErrUnsupported, 21},
		{"a cycle through two blessed scalars of the table", "FrT;!1|{>0|$1|S\\_{)0|\\_})0|\\<1|})0|\\<0|@1|<0|", ErrUnsupported, 27},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Thaw([]byte(tc.data))
			require.Error(t, err, "thawed %#v", v)
			assert.ErrorIs(t, err, tc.want)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.offset, e.Offset, "error: %v", err)
			assert.Contains(t, err.Error(), fmt.Sprintf("offset %d", tc.offset))
		})
	}
}

// TestThawLimits checks Options.MaxItems and Options.MaxDepth, and that a
// chain of shared objects, flat in the image, counts as the nesting it
// makes.
func TestThawLimits(t *testing.T) {
	s := New(Options{MaxItems: 4})
	_, err := s.Thaw([]byte("FrT;@1|@4|$1|a$1|b$1|c$1|d"))
	assert.ErrorIs(t, err, ErrTooMany)
	_, err = s.Thaw([]byte("FrT;@1|@3|$1|a$1|b$1|c"))
	assert.NoError(t, err)
	_, err = s.Thaw([]byte("FrT;@1|%4|$1|a$1|b$1|c$1|d"))
	assert.ErrorIs(t, err, ErrTooMany, "hash keys are items")
	_, err = s.Thaw([]byte("FrT;@1|@2|$1|x%4|$1|a$1|b$1|c$1|d"))
	assert.ErrorIs(t, err, ErrTooMany, "the limit met at a hash key")
	_, err = s.Thaw([]byte("FrT;!4|" + strings.Repeat("%0|", 10) + "@1|_"))
	assert.ErrorIs(t, err, ErrTooMany, "a table of more objects than items")
	_, err = s.Thaw([]byte("FrT;!1|%0|%0|%0|%0|@1|_"))
	assert.ErrorIs(t, err, ErrTooMany, "a table's two entries of an object are two items")
	_, err = s.Thaw([]byte("FrT;!0|%0|%0|@1|_"))
	assert.NoError(t, err)

	d := New(Options{MaxDepth: 3})
	_, err = d.Thaw([]byte("FrT;@1|@1|@1|@1|@0|"))
	assert.ErrorIs(t, err, ErrTooDeep)
	_, err = d.Thaw([]byte("FrT;@1|@1|@1|@0|"))
	assert.NoError(t, err)
	_, err = d.Thaw([]byte("FrT;@1|%2|$1|a%2|$1|b%2|$1|c%0|"))
	assert.ErrorIs(t, err, ErrTooDeep, "hashes nest")
	_, err = d.Thaw([]byte("FrT;@1|@1|@1|@1|>>0|$1|C%0|"))
	assert.ErrorIs(t, err, ErrTooDeep, "an object nests")
	_, err = d.Thaw([]byte("FrT;@1|@1|>>0|$1|C%0|"))
	assert.NoError(t, err, "an object and its hash are two levels")

	chain := make([]any, 10)
	for i := range chain {
		chain[i] = []any{nil}
	}
	for i := range len(chain) - 1 {
		chain[i].([]any)[0] = chain[i+1]
	}
	// Every array of the chain is met twice, so the image lists them flat
	// in its table; the value still nests 11 deep, counting the top array.
	img, err := Freeze([]any{chain[0], chain})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(img), "FrT;!"), "%s", img)
	_, err = New(Options{MaxDepth: 11}).Thaw(img)
	assert.NoError(t, err)
	_, err = New(Options{MaxDepth: 10}).Thaw(img)
	assert.ErrorIs(t, err, ErrTooDeep)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 4, e.Offset)
}

// TestThawDoesNotTrustLengths checks that a count claiming gigabytes
// allocates nothing near it.
func TestThawDoesNotTrustLengths(t *testing.T) {
	for _, in := range []string{
		"FrT;@1|$4000000000|", "FrT;@1|@4000000000|", "FrT;@1|%4000000000|",
		"FrT;!4000000000|", "FrT;!100|" + strings.Repeat("@0|", 101),
		"FrT;@1|@200000|" + strings.Repeat("_", 1000),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Thaw([]byte(in))
		runtime.ReadMemStats(&after)
		assert.Error(t, err)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "%.40s", in)
	}
}

// TestThawTruncations cuts valid images at every byte: each prefix must
// fail with an *Error at an offset inside it, never panic.
func TestThawTruncations(t *testing.T) {
	imgs := []string{
		"FrT;!3|{>0|$1|O%0|{>1|$1|P@0|%0|@0|})0|%2|$1|b<2|})1|@1|<0|%2|$1|x<3|@1|$1|1@1|%12|$1|u$1|v$1|w$1|x$1|y$1|z<0|<1|<1|<0|<2|<3|",
		"FrT;!1|\\_{>0|$1|S\\_\\<0|})0|\\$1|v@1|@3|<0|<1|<1|",
		"FrT;!0|/5|(?^:)/8|(?^i:ab)@1|@2|<0|<0|",
		"FrT;@1|@5|>>0|$9|My::Class%2|$1|n$1|1>>1|$8|My::List@2|$1|1$1|2>>2|$10|My::Scalar\\$6|scalar>)0|%0|/8|(?^i:ab)",
		"FrT;@1|@2|$4|caf\xc3\xa9$1|\xe2\x98\xba",
	}
	for _, f := range loadCapture(t) {
		imgs = append(imgs, string(f.payload))
	}
	for _, img := range imgs {
		_, err := Thaw([]byte(img))
		require.NoError(t, err, "%q", img)
		for n := range len(img) {
			_, err := Thaw([]byte(img[:n]))
			var e *Error
			require.ErrorAs(t, err, &e, "prefix %q", img[:n])
			assert.LessOrEqual(t, e.Offset, n, "%v", err)
		}
	}
}

// TestFreezeRefuses checks the Go values Perl has no scalar for.
func TestFreezeRefuses(t *testing.T) {
	for _, v := range []any{func() {}, make(chan int), complex(1, 2), map[float64]int{1: 1}} {
		_, err := Freeze(map[string]any{"x": v})
		assert.ErrorIs(t, err, ErrFreeze, "%T", v)
	}
	_, err := Freeze(map[string]any{"o": serial.Blessed{Class: "", Value: map[string]any{}}})
	assert.ErrorIs(t, err, ErrFreeze, "a class named \"\"")

	type loop struct{ Next any }
	l := &loop{}
	l.Next = l
	_, err = Freeze(l)
	assert.True(t, errors.Is(err, ErrTooDeep), "%v", err)

	dst := []byte("keep")
	out, err := Default.Freeze(dst, []any{func() {}})
	assert.Error(t, err)
	assert.Equal(t, "keep", string(out), "a failed freeze leaves dst as it was")
}
