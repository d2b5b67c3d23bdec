package storable

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/poe-go/poe/poe/serial"
)

// The random values of TestRandomGoToPerl, and how a failure prints them.

// pair is a Go value to freeze and the value Thaw must give for it.
type pair struct{ v, want any }

// goGen makes random values of the data model. Containers, references
// and objects are remembered: open holds those still being filled, which
// a slot names to make a cycle, and made those finished, which a slot
// names to share them.
type goGen struct {
	r      *rand.Rand
	open   []pair
	made   []pair
	exact  bool // no key that Perl writes downgraded (see TestRandomGoToPerl)
	stable bool // no []byte holding UTF-8 text (see TestRandomGoToPerl)
}

func newGoGen(seed, index uint64) *goGen {
	return &goGen{r: rand.New(rand.NewPCG(seed, index)), exact: true, stable: true}
}

const genDepth = 5

var genClasses = []string{"My::Class", "Foo", "Bar::Baz", strings.Repeat("C", 130), "main"}

func (g *goGen) n(n int) int { return g.r.IntN(n) }

// top is a value to freeze: mostly a hash or an array, as IKC sends,
// sometimes an object, a reference or a plain scalar.
func (g *goGen) top() pair {
	switch r := g.n(10); {
	case r < 5:
		return g.container(0, "")
	case r < 7:
		return g.object(0)
	case r < 9:
		return g.ref(0, true)
	}
	return g.plain()
}

// slot is what an element or a hash value holds.
func (g *goGen) slot(depth int) pair {
	if depth >= genDepth || g.n(2) == 0 {
		return g.plain()
	}
	switch r := g.n(12); {
	case r == 0 && len(g.open) > 0:
		return g.open[g.n(len(g.open))]
	case r <= 2 && len(g.made) > 0:
		return g.made[g.n(len(g.made))]
	case r <= 6:
		return g.container(depth+1, "")
	case r <= 9:
		return g.object(depth + 1)
	}
	return g.ref(depth+1, true)
}

// container is a new hash or array, blessed into cls unless it is "".
func (g *goGen) container(depth int, cls string) pair {
	wrap := func(v any) any {
		if cls == "" {
			return v
		}
		return serial.Blessed{Class: cls, Value: v}
	}
	n := g.n(6)
	if g.n(2) == 0 {
		a, w := make([]any, n), make([]any, n)
		p := pair{wrap(a), wrap(w)}
		g.open = append(g.open, p)
		for i := range a {
			e := g.slot(depth)
			a[i], w[i] = e.v, e.want
		}
		return g.close(p)
	}
	m, w := make(map[string]any, n), make(map[string]any, n)
	p := pair{wrap(m), wrap(w)}
	g.open = append(g.open, p)
	perlKeys := map[string]bool{}
	for range n {
		k := g.key()
		if id := perlKey(k); !perlKeys[id] {
			perlKeys[id] = true
			e := g.slot(depth)
			m[k], w[k] = e.v, e.want
		}
	}
	return g.close(p)
}

func (g *goGen) close(p pair) pair {
	g.open = g.open[:len(g.open)-1]
	g.made = append(g.made, p)
	return p
}

// perlKey is the key Perl makes of a Go key, as a string of its
// characters: a key that is not valid UTF-8 is Latin-1 bytes, so "\xe9"
// and "é" are one key in Perl.
func perlKey(k string) string {
	if isCharString(k) {
		return k
	}
	return latin1ToUTF8(k)
}

// object is a blessed hash or array, a blessed scalar, or a blessed
// reference to a scalar, a reference or another object.
func (g *goGen) object(depth int) pair {
	cls := genClasses[g.n(len(genClasses))]
	var p pair
	switch g.n(8) {
	case 0, 1, 2:
		return g.container(depth, cls)
	case 3:
		c := g.container(depth, cls)
		b := c.v.(serial.Blessed)
		return pair{&b, c.want}
	case 4, 5:
		p = g.plain()
	case 6:
		// The reference is the blessed scalar: met again it would be
		// the object, so it is neither shared nor part of a cycle.
		p = g.ref(depth+1, false)
	default:
		if depth >= genDepth {
			p = g.plain()
		} else {
			p = g.object(depth + 1)
		}
	}
	return pair{serial.Blessed{Class: cls, Value: p.v}, serial.Blessed{Class: cls, Value: p.want}}
}

// ref is a *serial.Ref to a scalar, to a container (a reference to a
// reference to it), to an object, to another reference or to an
// enclosing one. Unless shared is false, the reference itself may be
// met again inside its target and elsewhere.
func (g *goGen) ref(depth int, shared bool) pair {
	r, w := &serial.Ref{}, &serial.Ref{}
	p := pair{r, w}
	if shared {
		g.open = append(g.open, p)
	}
	var to pair
	switch n := g.n(10); {
	case depth >= genDepth || n < 5:
		to = g.plain()
	case n == 5 && len(g.open) > 0:
		to = g.open[g.n(len(g.open))]
	case n == 6:
		to = g.container(depth+1, "")
	case n == 7:
		to = g.object(depth + 1)
	default:
		to = g.ref(depth+1, true)
	}
	r.Value, w.Value = to.v, to.want
	if !shared {
		return p
	}
	return g.close(p)
}

// plain is a scalar: undef, a number, a boolean, a byte slice or a string.
func (g *goGen) plain() pair {
	switch r := g.n(14); {
	case r == 0:
		return pair{nil, nil}
	case r <= 4:
		return g.integer()
	case r <= 7:
		return g.float()
	case r == 8:
		b := g.n(2) == 0
		return pair{b, b}
	case r == 9:
		b := []byte(g.text())
		if g.n(4) == 0 {
			b = []byte(g.binary(g.length()))
		}
		if isCharString(string(b)) {
			g.stable = false // thawed, it is a string, which Go sends as text
		}
		return pair{b, string(b)}
	}
	s := g.text()
	return pair{s, s}
}

var intEdges = []int64{0, 1, -1, 127, -128, 128, -129, 255, 256, -256, math.MaxInt16, math.MinInt16, math.MaxUint16,
	math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxUint32, math.MaxUint32 + 1,
	1 << 40, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64}

// integer is an integer of a random Go type that can hold it: an edge of
// one of Storable's encodings or a random value, or an unsigned one above
// the largest int64, which Perl holds as a UV and nfreeze as its text.
func (g *goGen) integer() pair {
	var i int64
	switch g.n(5) {
	case 0:
		var u uint64
		switch g.n(3) {
		case 0:
			u = math.MaxUint64
		case 1:
			u = 1 << 63
		default:
			u = 1<<63 + g.r.Uint64N(1<<63)
		}
		if g.n(2) == 0 {
			return pair{uint(u), strconv.FormatUint(u, 10)}
		}
		return pair{u, strconv.FormatUint(u, 10)}
	case 1:
		i = intEdges[g.n(len(intEdges))] + int64(g.n(3)-1)
	case 2:
		i = int64(g.n(256)) - 128
	case 3:
		i = int64(int32(g.r.Uint32()))
	default:
		i = int64(g.r.Uint64()) >> g.n(64)
	}
	var typed []any
	if i == int64(int8(i)) {
		typed = append(typed, int8(i))
	}
	if i == int64(int16(i)) {
		typed = append(typed, int16(i))
	}
	if i == int64(int32(i)) {
		typed = append(typed, int32(i))
	}
	if i >= 0 {
		typed = append(typed, uint64(i), uint(i))
		if i <= math.MaxUint8 {
			typed = append(typed, uint8(i))
		}
		if i <= math.MaxUint16 {
			typed = append(typed, uint16(i))
		}
		if i <= math.MaxUint32 {
			typed = append(typed, uint32(i))
		}
	}
	typed = append(typed, i, int(i), i, int(i))
	return pair{typed[g.n(len(typed))], i}
}

var floatEdges = []float64{0.5, -2.5, 0.1, 1.0 / 3, 1e300, -1e-300, 5e-324, 1e15 + 0.5, 1 << 53, 1<<53 + 2, 1 << 63, 1 << 64,
	1e16, 1e20, -1e21, 3, -7, 2147483648, math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1),
	math.MaxFloat64, math.SmallestNonzeroFloat64, 1.5e-7, 123456789.125}

// float is a float64 (sometimes a float32): an edge, a random magnitude,
// or any bit pattern at all, NaNs with payloads included.
func (g *goGen) float() pair {
	var f float64
	switch g.n(3) {
	case 0:
		f = floatEdges[g.n(len(floatEdges))]
	case 1:
		f = (g.r.Float64() - 0.5) * math.Pow(10, float64(g.n(40)-20))
	default:
		f = math.Float64frombits(g.r.Uint64())
	}
	if g.n(4) == 0 {
		f32 := float32(f)
		return pair{f32, float64(f32)}
	}
	return pair{f, f}
}

// length is a string length: mostly short, sometimes over the 255 bytes
// of the short string opcodes.
func (g *goGen) length() int {
	if g.n(8) == 0 {
		return 250 + g.n(300)
	}
	return g.n(12)
}

// text is a string: ASCII with control characters, UTF-8 of every width,
// UTF-8 of Latin-1 characters only, binary bytes, or numeric text.
func (g *goGen) text() string {
	n := g.length()
	switch g.n(6) {
	case 0:
		return g.chars(n, [2]rune{0x20, 0x7e}, [2]rune{0, 0x1f})
	case 1:
		return g.chars(n, [2]rune{0x20, 0x7e}, [2]rune{0xa0, 0xff}, [2]rune{0x100, 0x7ff}, [2]rune{0x800, 0xd7ff},
			[2]rune{0xe000, 0xfffd}, [2]rune{0x10000, 0x10ffff})
	case 2:
		return g.chars(n, [2]rune{0x20, 0x7e}, [2]rune{0x80, 0xff})
	case 3:
		return g.binary(n)
	case 4:
		return []string{"", "007", "1.50", "-0", " 12", "1e3", "NaN", "inf", "0 but true"}[g.n(9)]
	}
	return g.chars(n, [2]rune{0x61, 0x7a})
}

// key is a hash key: ASCII (the empty key too), UTF-8 with characters
// above U+00FF, UTF-8 of Latin-1 characters only, or binary bytes that
// are not UTF-8.
func (g *goGen) key() string {
	switch g.n(10) {
	case 0:
		return []string{"", "7", "-1", "a", "key"}[g.n(5)]
	case 1, 2, 3:
		return g.chars(1+g.n(8), [2]rune{0x21, 0x7e})
	case 4, 5:
		return g.chars(1+g.n(4), [2]rune{0x61, 0x7a}, [2]rune{0x100, 0x7ff}, [2]rune{0x4e00, 0x9fff}, [2]rune{0x1f600, 0x1f64f})
	case 6:
		k := g.chars(1+g.n(4), [2]rune{0x61, 0x7a}, [2]rune{0x80, 0xff})
		if isCharString(k) {
			g.exact = false // Perl writes it downgraded
		}
		return k
	}
	return g.binary(1 + g.n(6))
}

// chars is n characters drawn from the [low, high] code point ranges.
func (g *goGen) chars(n int, ranges ...[2]rune) string {
	b := make([]byte, 0, n)
	for range n {
		r := ranges[g.n(len(ranges))]
		b = utf8.AppendRune(b, r[0]+rune(g.n(int(r[1]-r[0]+1))))
	}
	return string(b)
}

// binary is n random bytes, some above 0x7f, that are not valid UTF-8
// unless n is 0.
func (g *goGen) binary(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	if n > 0 && utf8.Valid(b) {
		b[g.n(n)] = 0xff
	}
	return string(b)
}

// show prints a model value for a failure message, with its Go types,
// and names a container met again instead of printing it twice.
func show(v any) string {
	var b strings.Builder
	showTo(&b, v, map[uintptr]bool{})
	return b.String()
}

func showTo(b *strings.Builder, v any, seen map[uintptr]bool) {
	again := func(p uintptr) bool {
		if seen[p] {
			fmt.Fprintf(b, "<seen %#x>", p)
			return true
		}
		seen[p] = true
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if again(reflect.ValueOf(x).Pointer()) {
			return
		}
		b.WriteString("{")
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%q: ", k)
			showTo(b, x[k], seen)
		}
		b.WriteString("}")
	case []any:
		if len(x) > 0 && again(reflect.ValueOf(x).Pointer()) {
			return
		}
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			showTo(b, e, seen)
		}
		b.WriteString("]")
	case *serial.Ref:
		if x == nil {
			b.WriteString("(*Ref)(nil)")
			return
		}
		if again(reflect.ValueOf(x).Pointer()) {
			return
		}
		b.WriteString("&Ref{")
		showTo(b, x.Value, seen)
		b.WriteString("}")
	case serial.Blessed:
		fmt.Fprintf(b, "Blessed{%q, ", x.Class)
		showTo(b, x.Value, seen)
		b.WriteString("}")
	case *serial.Blessed:
		b.WriteString("&")
		showTo(b, *x, seen)
	case string:
		fmt.Fprintf(b, "%+q", x)
	case []byte:
		fmt.Fprintf(b, "[]byte(%+q)", x)
	case nil:
		b.WriteString("nil")
	default:
		fmt.Fprintf(b, "%T(%v)", x, x)
	}
}
