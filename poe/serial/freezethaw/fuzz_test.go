package freezethaw

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/serialtest"
)

// fuzzLimits are the tight limits FuzzThaw also thaws with, so that
// inputs reach them.
var fuzzLimits = Options{MaxDepth: 8, MaxItems: 64}

// FuzzThaw checks that Thaw never panics or runs away on any input, that
// it keeps to its limits, that whatever it accepts freezes and thaws back
// to the same value, and freezes again to the same bytes, and that what
// it refuses does not read with lengths in characters either when it is
// valid UTF-8 (the retry is skipped only where it cannot help).
func FuzzThaw(f *testing.F) {
	for _, fr := range loadCapture(f) {
		f.Add(fr.payload)
	}
	for _, s := range []string{
		"FrT;@1|_",
		"FrT;@1|$3|abc",
		"FrT;@1|@3|$1|1$2|-2_",
		"FrT;@1|%4|$1|a$1|b$1|1@0|",
		"FrT;@1|\\\\$1|x",
		"FrT;@1|@2|>>0|$1|C%0|>)0|@1|\\$1|s",
		"FrT;@1|/8|(?^i:ab)",
		"FrT;!0|%0|%4|$4|name$4|self$4|loop<0|@1|<0|",
		"FrT;!0|\\_\\<0|@1|<0|",
		"FrT;!3|{>0|$1|O%0|{>1|$1|P@0|%0|@0|})0|%2|$1|b<2|})1|@1|<0|%2|$1|x<3|@1|$1|1@1|%12|$1|u$1|v$1|w$1|x$1|y$1|z<0|<1|<1|<0|<2|<3|",
		"FrT;!0|{>0|$1|S\\_})0|\\$1|v@1|@2|<0|<0|",
		"FrT;!0|/5|(?^:)/8|(?^i:ab)@1|@2|<0|<0|",
		"FrT;@1|@2|$4|caf\xc3\xa9$1|\xe2\x98\xba",
		"FrT;@1|$4|caf\xe9",
		"FrT;@1|%4|$1|k$2|\xc3\xbfx$4|caf\xc3\xa9$2|\xe2\x98\xba!",
		"FrT;@1|>>0|$2|\xc3\x9c1%2|$1|a/3|\xc3\xa9+$",
		"FrT;!0|%0|%4|$2|\xd0\xba\xd0\xbb$4|self$3|\xe2\x98\xba\xe2\x98\xba\xe2\x98\xba<0|@1|<0|",
	} {
		f.Add([]byte(s))
	}
	limited := New(fuzzLimits)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Thaw(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if utf8.Valid(data) {
				c := newDecoder(data, Options{}, true)
				if cv, cerr := c.image(); cerr == nil {
					t.Fatalf("Thaw refused %q (%v), which reads with lengths in characters as %#v", data, err, cv)
				}
			}
		} else {
			roundTrip(t, data, v)
		}
		lv, err := limited.Thaw(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("limited: error of type %T: %v", err, err)
			}
			return
		}
		if n := countItems(lv, map[uintptr]bool{}); n > fuzzLimits.MaxItems {
			t.Fatalf("limited thaw of %q holds %d items, limit %d", data, n, fuzzLimits.MaxItems)
		}
		if _, err := limited.Freeze(nil, lv); err != nil {
			t.Fatalf("limited thaw of %q accepted a value its limits cannot freeze: %v", data, err)
		}
	})
}

func roundTrip(t *testing.T, data []byte, v any) {
	t.Helper()
	out, err := Freeze(v)
	if err != nil {
		t.Fatalf("thawed %q but cannot freeze it: %v", data, err)
	}
	v2, err := Thaw(out)
	if err != nil {
		t.Fatalf("cannot thaw own output %q (from %q): %v", out, data, err)
	}
	if !modelEqual(v, v2) {
		t.Fatalf("round trip changed the value:\n in  %q\n out %q", data, out)
	}
	out2, err := Freeze(v2)
	if err != nil || !bytes.Equal(out, out2) {
		t.Fatalf("second freeze differs: %q vs %q (%v)", out, out2, err)
	}
}

// countItems counts the values in v, each shared container once.
func countItems(v any, seen map[uintptr]bool) int {
	once := func(p uintptr) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		if !once(reflect.ValueOf(x).Pointer()) {
			return 1
		}
		n := 1
		for _, e := range x {
			n += countItems(e, seen)
		}
		return n
	case []any:
		if len(x) > 0 && !once(reflect.ValueOf(x).Pointer()) {
			return 1
		}
		n := 1
		for _, e := range x {
			n += countItems(e, seen)
		}
		return n
	case serial.Blessed:
		return countItems(x.Value, seen)
	case *serial.Ref:
		if !once(reflect.ValueOf(x).Pointer()) {
			return 1
		}
		return 1 + countItems(x.Value, seen)
	}
	return 1
}

// modelEqual compares two thawed values, their sharing included
// (serialtest.ModelEqual).
func modelEqual(a, b any) bool { return serialtest.ModelEqual(a, b, nil) }

// perlEqual compares data as Perl sees it: as modelEqual, but a string
// and an int64 holding the same text are equal, as FreezeThaw carries
// both as that text; so is a json.Number, since a capture's JSON cannot
// tell Perl's string "2" from its number 2 either.
func perlEqual(a, b any) bool { return serialtest.ModelEqual(a, b, scalarText) }

// scalarText is an int64's decimal text, a json.Number's text, and any
// other value itself.
func scalarText(v any) any {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case json.Number:
		return x.String()
	}
	return v
}

// FuzzFreezeGraph builds random data with shared and cyclic containers
// from the fuzzer's numbers, and checks that it freezes, thaws to the same
// data and freezes again to the same bytes; and that the image a Perl
// peer would send for the same data as character strings (lengths in
// characters) thaws to it too.
func FuzzFreezeGraph(f *testing.F) {
	for seed := range uint64(20) {
		f.Add(seed, seed*31, uint8(seed%7))
	}
	f.Fuzz(func(t *testing.T, s1, s2 uint64, depth uint8) {
		g := &randomGraph{r: rand.New(rand.NewPCG(s1, s2))}
		v := g.value(int(depth % 8))
		g.cycles()
		img, err := Freeze(v)
		if err != nil {
			t.Fatalf("cannot freeze: %v", err)
		}
		roundTrip(t, img, mustThaw(t, img))
		if !perlEqual(v, mustThaw(t, img)) {
			t.Fatalf("%q does not thaw to the data frozen", img)
		}
		chars := toCharLengths(t, img)
		if !utf8.Valid(chars) {
			return
		}
		if !perlEqual(v, mustThaw(t, chars)) {
			t.Fatalf("%q (lengths in characters) does not thaw to the data frozen", chars)
		}
	})
}

func mustThaw(t *testing.T, img []byte) any {
	t.Helper()
	v, err := Thaw(img)
	if err != nil {
		t.Fatalf("cannot thaw %q: %v", img, err)
	}
	return v
}

// toCharLengths rewrites an image Freeze wrote as Perl sends the same data
// held as character strings: every string and pattern length counted in
// characters of its UTF-8.
func toCharLengths(t *testing.T, img []byte) []byte {
	t.Helper()
	out := append([]byte(nil), signature...)
	digits := func(i int) (int, int) {
		j := i
		for img[j] >= '0' && img[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(string(img[i:j]))
		if err != nil || img[j] != '|' {
			t.Fatalf("bad count at %d in %q", i, img)
		}
		return n, j + 1
	}
	for i := len(signature); i < len(img); {
		switch c := img[i]; c {
		case tagString, tagRegexp:
			n, j := digits(i + 1)
			text := img[j : j+n]
			out = append(out, c)
			out = strconv.AppendInt(out, int64(utf8.RuneCount(text)), 10)
			out = append(append(out, '|'), text...)
			i = j + n
		case tagArray, tagHash, tagBackRef, tagShared, tagPackage:
			_, j := digits(i + 1)
			out = append(out, img[i:j]...)
			i = j
		case tagObject:
			j := i + 1
			if img[j] >= '0' && img[j] <= '9' {
				_, j = digits(j)
			}
			out = append(out, img[i:j]...)
			i = j
		default:
			out = append(out, c)
			i++
		}
	}
	return out
}
