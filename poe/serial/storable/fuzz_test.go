package storable

import (
	"bytes"
	"encoding/hex"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/poe-go/poe/poe/serial/serialtest"
)

// FuzzThaw checks that Thaw never panics or runs away on any input, and
// that whatever it accepts freezes and thaws back to the same value (Perl
// booleans come back as "1" and "").
func FuzzThaw(f *testing.F) {
	for _, name := range []string{"ikc-call", "nested", "circular", "blessed-two", "hash-utf8-keys"} {
		b, err := os.ReadFile("testdata/vectors/storable/" + name + ".bin")
		if err != nil {
			f.Fatal(err)
		}
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
		if !modelEqual(v, v2) {
			t.Fatalf("round trip changed the value:\n in  %x\n out %x", data, out)
		}
		out2, err := Freeze(v2)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("second freeze differs: %x vs %x (%v)", out, out2, err)
		}
	})
}

// modelEqual compares two thawed values (serialtest.ModelEqual), treating
// a Perl boolean as the string Perl 5.36 freezes it to and a double from
// a native-order image as the scalar network order carries for it.
func modelEqual(a, b any) bool { return serialtest.ModelEqual(a, b, netScalar) }

// netScalar is what a scalar thaws back as after nfreeze: a boolean its
// string, a number as netNumber says.
func netScalar(v any) any {
	if x, ok := v.(bool); ok {
		return map[bool]string{true: "1", false: ""}[x]
	}
	return netNumber(v)
}

// netNumber is what a number thaws back as after nfreeze: a double that
// is integral and below 2**53 becomes an integer, any other double its
// "%.15g" string (infinities and NaN as Perl prints them), and an integer
// outside 32 bits its decimal string, since network order has no wider
// integer. Anything else is returned as it is.
func netNumber(v any) any {
	switch x := v.(type) {
	case float64:
		switch {
		case x == math.Trunc(x) && math.Abs(x) < 1<<53:
			return netNumber(int64(x))
		case math.IsInf(x, 1):
			return "Inf"
		}
		return strconv.FormatFloat(x, 'g', 15, 64) // "-Inf" and "NaN" as Perl has them
	case int64:
		if x < math.MinInt32 || x > math.MaxInt32 {
			return strconv.FormatInt(x, 10)
		}
	}
	return v
}

// TestFuzzCorpusIsCommitted keeps the seed corpus in testdata/fuzz.
func TestFuzzCorpusIsCommitted(t *testing.T) {
	entries, err := os.ReadDir("testdata/fuzz/FuzzThaw")
	if err != nil || len(entries) == 0 {
		t.Fatalf("seed corpus missing: %v", err)
	}
	_ = hex.EncodeToString
}
