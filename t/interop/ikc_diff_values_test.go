package interop_test

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/poe-go/poe/poe/serial"
)

// The values of the differential test travel in the scenario as tagged
// JSON, so that both halves build the same data in their own language:
//
//	["u"]                    undef / nil
//	["i", "-5"]              an integer (int64)
//	["f", "2.5"]             a number (float64, Perl NV)
//	["s", HEX]               a character string (HEX is its UTF-8)
//	["b", HEX]               a byte string ([]byte in Go)
//	["a", [v, ...]]          an array
//	["h", [[HEXKEY, v], ...]] a hash (keys are character strings)
//	["o", CLASS, v]          a blessed array or hash (serial.Blessed)
//	["r", v]                 a reference to a scalar (*serial.Ref)
//
// Received data is printed with dumpValue, whose text is the same as
// IKCDiff::dumpv's in perl/IKCDiff.pm for the same data.

// buildValue turns a tagged value into Go data.
func buildValue(t any) any {
	l, _ := t.([]any)
	if len(l) == 0 {
		panic(fmt.Sprintf("bad tagged value %#v", t))
	}
	switch l[0] {
	case "u":
		return nil
	case "i":
		n, err := strconv.ParseInt(l[1].(string), 10, 64)
		if err != nil {
			panic(err)
		}
		return n
	case "f":
		f, err := strconv.ParseFloat(l[1].(string), 64)
		if err != nil {
			panic(err)
		}
		return f
	case "s":
		return string(unhex(l[1]))
	case "b":
		return unhex(l[1])
	case "a":
		out := []any{}
		for _, v := range l[1].([]any) {
			out = append(out, buildValue(v))
		}
		return out
	case "h":
		out := map[string]any{}
		for _, kv := range l[1].([]any) {
			p := kv.([]any)
			out[string(unhex(p[0]))] = buildValue(p[1])
		}
		return out
	case "o":
		return serial.Blessed{Class: l[1].(string), Value: buildValue(l[2])}
	case "r":
		return &serial.Ref{Value: buildValue(l[1])}
	}
	panic(fmt.Sprintf("bad tag %#v", l[0]))
}

func unhex(v any) []byte {
	b, err := hex.DecodeString(v.(string))
	if err != nil {
		panic(err)
	}
	return b
}

// quoteOctets is IKCDiff::quote: printable ASCII but " and \ as they are,
// every other octet as \xHH.
func quoteOctets(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// dumpValue is the canonical text of a received value (see IKCDiff::dumpv).
func dumpValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "u"
	case int64:
		return "i" + strconv.FormatInt(x, 10)
	case int:
		return "i" + strconv.Itoa(x)
	case float64:
		return "n" + strconv.FormatFloat(x, 'g', 15, 64)
	case string:
		return "s" + quoteOctets(x)
	case []byte:
		return "s" + quoteOctets(string(x))
	case bool:
		if x {
			return "b1"
		}
		return "b0"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = dumpValue(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = dumpValue(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // byte order, as Perl's cmp on octets
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = quoteOctets(k) + ":" + dumpValue(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case serial.Blessed:
		return x.Class + "=" + dumpValue(x.Value)
	case *serial.Blessed:
		return x.Class + "=" + dumpValue(x.Value)
	case *serial.Ref:
		return `\` + dumpValue(x.Value)
	}
	return fmt.Sprintf("?%T", v)
}

func dumpArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = dumpValue(a)
	}
	return strings.Join(parts, " ")
}

// Generating values.

var (
	diffWords = []string{"hello", "", "x", "42", "-7", "2.5", "poe://Srv/alpha/rec1", "with space", `q"uote\`,
		"IKC:proxy", "0", "line\nbreak"}
	diffUTF8 = []string{"héllo", "wörld ✓", "日本語", "😀 emoji", "clé", "ключ", "é", "\u00ff\u0100"}
	diffKeys = []string{"a", "b", "kernel", "session", "", "0", "clé", "日本", "key with space"}
	// Integers at the edges of Storable's sizes: SX_BYTE (-128..127),
	// SX_NETINT (32 bits), and beyond (sent as decimal text).
	diffInts = []int64{0, 1, -1, 127, 128, -128, -129, 255, 256, 65535, -65536, math.MaxInt32, math.MaxInt32 + 1,
		math.MinInt32, math.MinInt32 - 1, 1 << 40, -(1 << 40), math.MaxInt64, math.MinInt64, 4294967295, 4294967296}
	diffFloats = []string{"0.5", "-2.25", "1e+20", "1.5e-07", "0.1", "3", "3.0", "123456.789", "-1e-300"}
)

func tagString(s string) []any { return []any{"s", hex.EncodeToString([]byte(s))} }

// genValue returns a random tagged value nested at most depth deep.
func genValue(r *rand.Rand, depth int) []any {
	n := 9
	if depth > 0 {
		n = 12
	}
	switch r.IntN(n) {
	case 0:
		return []any{"u"}
	case 1:
		return []any{"i", strconv.FormatInt(diffInts[r.IntN(len(diffInts))], 10)}
	case 2:
		return []any{"i", strconv.FormatInt(r.Int64N(1<<20)-1<<19, 10)}
	case 3:
		return []any{"f", diffFloats[r.IntN(len(diffFloats))]}
	case 4:
		return tagString(diffWords[r.IntN(len(diffWords))])
	case 5:
		return tagString(diffUTF8[r.IntN(len(diffUTF8))])
	case 6: // octets, some of them not UTF-8
		b := make([]byte, r.IntN(9))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		if r.IntN(10) == 0 {
			b = append(b, make([]byte, 300)...) // SX_LSCALAR
		}
		return []any{"b", hex.EncodeToString(b)}
	case 7: // long strings: SX_LSCALAR and SX_LUTF8STR
		s := strings.Repeat("x", 250+r.IntN(20))
		if r.IntN(2) == 0 {
			s += "✓"
		}
		return tagString(s)
	case 8:
		return tagString(strconv.Itoa(r.IntN(1000)))
	case 9:
		l := []any{}
		for range r.IntN(5) {
			l = append(l, genValue(r, depth-1))
		}
		return []any{"a", l}
	case 10:
		return genHash(r, depth)
	default:
		switch r.IntN(3) {
		case 0:
			return []any{"o", []string{"My::Obj", "Foo::Bar"}[r.IntN(2)], genHash(r, depth)}
		case 1:
			return []any{"o", "My::List", []any{"a", []any{genValue(r, depth-1)}}}
		}
		return []any{"r", genValue(r, 0)}
	}
}

func genHash(r *rand.Rand, depth int) []any {
	kv := []any{}
	seen := map[string]bool{}
	for range r.IntN(5) {
		k := diffKeys[r.IntN(len(diffKeys))]
		if seen[k] {
			continue
		}
		seen[k] = true
		kv = append(kv, []any{hex.EncodeToString([]byte(k)), genValue(r, depth-1)})
	}
	return []any{"h", kv}
}
