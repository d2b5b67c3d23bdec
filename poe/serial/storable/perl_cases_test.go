package storable

import (
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/serialtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// perlCases is one perl child running testdata/perl/cases.pl: it lists
// its named values frozen both ways, then checks Go's images of them.
type perlCases struct {
	*serialtest.PerlChild
	net    map[string][]byte // nfreeze, network order
	native map[string][]byte // freeze, this machine's order
}

func startPerlCases(t *testing.T) *perlCases {
	t.Helper()
	p := &perlCases{PerlChild: startPerlChild(t, "testdata/perl/cases.pl"), net: map[string][]byte{}, native: map[string][]byte{}}
	for {
		line := p.Line(t)
		if line == "END" {
			break
		}
		f := strings.Fields(line)
		require.Len(t, f, 3, "perl: %s", line)
		var err error
		p.net[f[0]], err = hex.DecodeString(f[1])
		require.NoError(t, err)
		p.native[f[0]], err = hex.DecodeString(f[2])
		require.NoError(t, err)
	}
	return p
}

// check has Perl thaw data and compare it with its value named name; it
// returns "" when Perl sees the same data, else Perl's account of the
// difference.
func (p *perlCases) check(t *testing.T, name string, data []byte) string {
	t.Helper()
	p.Send(t, name+" "+hex.EncodeToString(data))
	if line := p.Line(t); line != "OK" {
		return line
	}
	return ""
}

type perlCase struct {
	name   string // the value's name in cases.pl
	net    any    // what Thaw makes of nfreeze's image
	native any    // what Thaw makes of freeze's image, when not net
	goVal  any    // what Go freezes for Perl to compare, when not net
	nan    bool   // holds NaN, which no Go equality matches
}

func edgeCases() []perlCase {
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	bin2 := string(bin) + string(bin)
	longKey := strings.Repeat("k☺", 100)
	obj := serial.Blessed{Class: "My::Class", Value: map[string]any{"n": int64(1)}}
	shh := map[string]any{"k": "v"}
	sha := []any{int64(1), int64(2)}
	cycle := []any{"head", nil}
	cycle[1] = cycle
	long := strings.Repeat("C", 200)
	return []perlCase{
		{name: "long-bytes", net: []any{strings.Repeat("x", 300), strings.Repeat("\xff", 256), bin2},
			goVal: []any{strings.Repeat("x", 300), []byte(strings.Repeat("\xff", 256)), []byte(bin2)}},
		{name: "long-utf8", net: []any{strings.Repeat("☺", 100), strings.Repeat("é", 300)}},
		{name: "short-utf8", net: []any{"☺", "caf\xe9", "😀"}},
		{name: "utf8-keys", net: map[string]any{"☺": int64(1), "ключ": "v", "plain": int64(3), longKey: "long key"}},
		{name: "byte-boundaries", net: []any{int64(0), int64(127), int64(-128), int64(128), int64(-129), int64(255), int64(256), int64(-256)},
			goVal: []any{0, int8(127), int8(-128), uint8(128), int16(-129), uint8(255), uint16(256), int32(-256)}},
		{name: "int32-boundaries",
			net:    []any{int64(math.MaxInt32), int64(math.MinInt32), "2147483648", "-2147483649", "4294967295", "4294967296"},
			native: []any{int64(math.MaxInt32), int64(math.MinInt32), int64(2147483648), int64(-2147483649), int64(4294967295), int64(4294967296)},
			goVal:  []any{int32(math.MaxInt32), int32(math.MinInt32), uint32(1 << 31), int64(-2147483649), uint32(math.MaxUint32), uint(1 << 32)}},
		{name: "int64-boundaries",
			net:    []any{"9223372036854775807", "-9223372036854775808", "9.00719925474099e+15", "9.00719925474099e+15"},
			native: []any{int64(math.MaxInt64), int64(math.MinInt64), float64(1 << 53), float64(1 << 53)},
			goVal:  []any{int64(math.MaxInt64), int(math.MinInt64), float64(1 << 53), float64(1<<53 + 1)}},
		{name: "unsigned-above-iv", net: []any{"9223372036854775808", "18446744073709551615"},
			goVal: []any{uint64(1 << 63), uint(math.MaxUint64)}},
		{name: "doubles",
			net:    []any{"2.5", "-2.5", "0.1", "1e+300", "4.94065645841247e-324", "1.5e-07", "1.84467440737096e+19", int64(0)},
			native: []any{2.5, -2.5, 0.1, 1e300, 5e-324, 1.5e-7, float64(1 << 64), int64(0)},
			goVal:  []any{2.5, float32(-2.5), 0.1, 1e300, 5e-324, 1.5e-7, float64(1 << 64), math.Copysign(0, -1)}},
		{name: "nan-and-infinities", net: []any{"NaN", "Inf", "-Inf"}, native: []any{math.NaN(), math.Inf(1), math.Inf(-1)},
			goVal: []any{math.NaN(), math.Inf(1), float32(math.Inf(-1))}, nan: true},
		{name: "undef-everywhere", net: []any{nil, map[string]any{"u": nil, "d": int64(1)}, []any{nil}, &serial.Ref{}}},
		{name: "array-holes", net: []any{nil, nil, "end"}},
		{name: "refs-to-refs", net: map[string]any{
			"one": &serial.Ref{Value: "x"}, "two": &serial.Ref{Value: &serial.Ref{Value: "x"}},
			"three": &serial.Ref{Value: &serial.Ref{Value: &serial.Ref{Value: "x"}}},
			// A hash value is a scalar: \\{...} there is a reference to a
			// reference to a reference to the hash.
			"hash":  &serial.Ref{Value: &serial.Ref{Value: map[string]any{"a": int64(1)}}},
			"array": &serial.Ref{Value: []any{int64(1)}},
		}},
		{name: "shared-twice", net: map[string]any{"h1": shh, "h2": shh, "a1": sha, "a2": sha, "list": []any{shh, sha}}},
		{name: "array-cycle", net: cycle},
		{name: "blessed", net: []any{obj, serial.Blessed{Class: "My::List", Value: []any{int64(1), int64(2)}},
			serial.Blessed{Class: "My::Scalar", Value: "scalar"}, serial.Blessed{Class: "My::Ref", Value: &serial.Ref{Value: "rr"}},
			obj, serial.Blessed{Class: "My::Class", Value: map[string]any{}}}},
		{name: "long-class", net: []any{serial.Blessed{Class: long, Value: map[string]any{"a": int64(1)}}, serial.Blessed{Class: long, Value: []any{}}}},
		{name: "record", net: map[string]any{"name": "n", "count": int64(3), "ключ": []any{"p", "q"},
			"nested": map[string]any{"7": "seven", "-1": "minus"}, "ptr": "x", "opt": nil}},
		{name: "int-keys", net: map[string]any{"7": "seven", "-1": "minus"}},
		{name: "top-scalar", net: "just text"},
		{name: "top-long-utf8", net: strings.Repeat("☺", 100)},
		{name: "top-integer", net: "1099511627776", native: int64(1 << 40), goVal: int64(1 << 40)},
	}
}

// sameData compares thawed data; NaN, which equals nothing, by its
// printed form.
func sameData(t *testing.T, nan bool, want, got any) {
	t.Helper()
	if nan {
		assert.Equal(t, fmt.Sprint(want), fmt.Sprint(got))
		return
	}
	assert.Equal(t, want, got)
}

// TestPerlEdgeCasesThaw thaws Perl's own nfreeze and freeze images of the
// values IKC records rarely hold (long and UTF-8 strings and keys, integers
// at every width boundary, NaN and infinities, undef, references to
// references, shared and cyclic data, blessed items, long class names) and
// checks each is the Go value Perl meant. freeze's native order keeps
// integers and doubles binary where nfreeze sends their text.
func TestPerlEdgeCasesThaw(t *testing.T) {
	p := startPerlCases(t)
	for _, tc := range edgeCases() {
		t.Run(tc.name+" from nfreeze", func(t *testing.T) {
			img, ok := p.net[tc.name]
			require.True(t, ok, "perl has no case %s", tc.name)
			v, err := Thaw(img)
			require.NoError(t, err)
			sameData(t, tc.nan, tc.net, v)
		})
		t.Run(tc.name+" from freeze", func(t *testing.T) {
			img := p.native[tc.name]
			require.NotEmpty(t, img)
			want := tc.net
			if tc.native != nil {
				want = tc.native
			}
			v, err := Thaw(img)
			require.NoError(t, err)
			sameData(t, tc.nan, want, v)
		})
	}
}

// TestPerlEdgeCasesShareOnThaw checks that a container Perl stored twice,
// and a cycle, thaw to one Go value in both byte orders (SX_OBJECT's tag
// is big-endian even in freeze's little-endian images).
func TestPerlEdgeCasesShareOnThaw(t *testing.T) {
	p := startPerlCases(t)
	for _, order := range []string{"nfreeze", "freeze"} {
		imgs := p.net
		if order == "freeze" {
			imgs = p.native
		}
		t.Run("a hash and an array stored twice by "+order, func(t *testing.T) {
			v, err := Thaw(imgs["shared-twice"])
			require.NoError(t, err)
			m := v.(map[string]any)
			m["h1"].(map[string]any)["probe"] = true
			assert.Equal(t, true, m["h2"].(map[string]any)["probe"])
			assert.Equal(t, true, m["list"].([]any)[0].(map[string]any)["probe"])
			m["a1"].([]any)[0] = "changed"
			assert.Equal(t, "changed", m["a2"].([]any)[0])
			assert.Equal(t, "changed", m["list"].([]any)[1].([]any)[0])
		})
		t.Run("an array holding itself by "+order, func(t *testing.T) {
			v, err := Thaw(imgs["array-cycle"])
			require.NoError(t, err)
			a := v.([]any)
			a[0] = "changed"
			assert.Equal(t, "changed", a[1].([]any)[0])
		})
		t.Run("one object twice by "+order, func(t *testing.T) {
			v, err := Thaw(imgs["blessed"])
			require.NoError(t, err)
			a := v.([]any)
			a[0].(serial.Blessed).Value.(map[string]any)["probe"] = true
			assert.Equal(t, true, a[4].(serial.Blessed).Value.(map[string]any)["probe"])
		})
	}
}

// TestPerlEdgeCasesFreeze freezes the Go form of each edge case and has
// Perl thaw it and compare it with its own value: same shape, classes,
// strings (as Perl's eq sees them), undefs, and sharing.
func TestPerlEdgeCasesFreeze(t *testing.T) {
	p := startPerlCases(t)
	for _, tc := range edgeCases() {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.net
			if tc.goVal != nil {
				v = tc.goVal
			}
			img, err := Freeze(v)
			require.NoError(t, err)
			assert.Empty(t, p.check(t, tc.name, img))
		})
	}
}
