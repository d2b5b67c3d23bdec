package freezethaw

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/serialtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// perlPeer is one perl child running testdata/perl/freezethaw.pl: it
// first lists its named values frozen by FreezeThaw, then re-freezes
// whatever image it is sent. One child serves a whole test.
type perlPeer struct {
	*serialtest.PerlChild
	samples map[string]perlSample
	order   []string
}

type perlSample struct {
	wire  []byte // what POE::Filter::Reference sends for the value
	bytes []byte // freeze of the same data with its text as UTF-8 bytes
}

// startPerl runs the script beside the test, with a perl that has
// FreezeThaw (else the test is skipped); it is ended with the test, or
// killed after a minute.
func startPerl(t *testing.T) *perlPeer {
	t.Helper()
	perl := serialtest.Perl(t, "FreezeThaw")
	p := &perlPeer{PerlChild: serialtest.StartPerl(t, time.Minute, perl, "testdata/perl/freezethaw.pl"), samples: map[string]perlSample{}}
	for {
		line := p.Line(t)
		if line == "END" {
			break
		}
		f := strings.Fields(line)
		require.Len(t, f, 3, "perl: %.200s", line)
		wire, err := hex.DecodeString(f[1])
		require.NoError(t, err)
		b, err := hex.DecodeString(f[2])
		require.NoError(t, err)
		p.samples[f[0]] = perlSample{wire, b}
		p.order = append(p.order, f[0])
	}
	return p
}

// refreeze has Perl thaw data and freeze what it got.
func (p *perlPeer) refreeze(t *testing.T, data []byte) []byte {
	t.Helper()
	b, perr := p.Ask(t, "R "+hex.EncodeToString(data))
	require.Empty(t, perr, "perl")
	return b
}

type tagged struct {
	Name    string `ikc:"name"`
	Count   int    `msgpack:"count"`
	Skip    string `ikc:"-"`
	Empty   string `ikc:"empty,omitempty"`
	Plain   []string
	private int
}

// goValues are Go values of every shape Freeze takes.
func goValues() map[string]any {
	shared := []any{int64(1), int64(2)}
	sharedMap := map[string]any{"k": "v"}
	cycle := map[string]any{"name": "loop"}
	cycle["self"] = cycle
	self := &serial.Ref{}
	self.Value = self
	text := &serial.Ref{Value: "s"}
	obj := serial.Blessed{Class: "My::Class", Value: map[string]any{"n": 1}}
	list := serial.Blessed{Class: "My::List", Value: []any{1, 2}}
	chain := make([]any, 40)
	for i := range chain {
		chain[i] = []any{i}
	}
	for i := range len(chain) - 1 {
		chain[i].([]any)[0] = chain[i+1]
	}
	empty := make([]any, 0, 1)
	return map[string]any{
		"an IKC call record": map[string]any{
			"event":     "poe://Server/echo/echo",
			"params":    []any{map[string]any{"a": 1, "b": "two", "c": nil, "d": []any{1, 2}, "e": 2.5}},
			"rsvp":      map[string]any{"kernel": "Client", "session": 2, "state": "reply"},
			"from":      map[string]any{"kernel": "Client", "session": "me", "state": "IKC:proxy"},
			"wantarray": "",
		},
		"integers of every width": []any{int8(-5), int16(300), int32(-70000), int64(1) << 40, uint8(200),
			uint16(65535), uint32(math.MaxUint32), uint64(math.MaxUint64), int(math.MinInt64), 0, 7, 10},
		"floats": []any{2.5, 0.1, 1e20, math.Copysign(0, -1), 3.0, 1.0 / 3, math.Inf(1), math.Inf(-1),
			math.NaN(), 1e15, 1 << 53, float32(0.5), 1.5e-7, 123456789012345.0, -1e-300},
		"strings":            []any{"", "hello", strings.Repeat("x", 300), "café", "☺", "caf\xe9", "-0", "007", "a|b$c", []byte{0, 1, 255}, [3]byte{'a', 'b', 'c'}},
		"booleans and nil":   []any{true, false, nil},
		"UTF-8 keys":         map[string]any{"ключ": "значение", "plain": 1, "ÿ": 2, "Ըp": 3, "☺": 4},
		"typed containers":   map[string]any{"ss": []string{"a", "b"}, "mi": map[string]int{"x": 1}, "ik": map[int]string{7: "seven", -1: "minus"}, "nil": []int(nil), "nm": map[string]any(nil)},
		"a tagged struct":    &tagged{Name: "n", Count: 3, Skip: "no", Plain: []string{"p"}},
		"a nil pointer":      []any{(*tagged)(nil)},
		"objects":            []any{obj, list, &serial.Blessed{Class: "Other", Value: "s"}, serial.Blessed{Class: "My::Class", Value: map[string]any{}}, serial.Blessed{Class: "Undef", Value: nil}, serial.Blessed{Class: "My::Ref", Value: &serial.Ref{Value: "rr"}}},
		"a regexp":           []any{serial.Blessed{Class: "Regexp", Value: "(?^i:ab)"}},
		"references":         map[string]any{"sref": &serial.Ref{Value: "text"}, "rref": &serial.Ref{Value: &serial.Ref{Value: "x"}}, "href": &serial.Ref{Value: map[string]any{"a": 1}}, "undef": &serial.Ref{}},
		"shared data":        map[string]any{"a1": shared, "a2": shared, "h1": sharedMap, "h2": sharedMap, "list": []any{sharedMap, shared}},
		"a cycle":            cycle,
		"a shared object":    []any{obj, obj, list, map[string]any{"again": list}},
		"a self reference":   self,
		"shared scalar refs": []any{&serial.Ref{Value: text}, text, text},
		"a shared empty":     []any{empty, empty, []any{}, []any{}},
		"a chain of shared":  []any{chain[0], chain},
		"a top scalar":       "just text",
		"a top integer":      42,
		"a top undef":        nil,
		"many classes":       manyClasses(),
	}
}

func manyClasses() []any {
	out := make([]any, 0, 14)
	for i := range 12 {
		out = append(out, serial.Blessed{Class: "C" + string(rune('a'+i)), Value: map[string]any{}})
	}
	return append(out, serial.Blessed{Class: "Cd", Value: []any{}}, serial.Blessed{Class: "Cl", Value: []any{}})
}

// perlRewrites lists the Go values whose image Perl does not freeze
// back byte for byte, and why.
var perlRewrites = map[string]string{
	"a regexp": "Perl's thaw compiles the pattern as qr/$pattern/, which prints as (?^:pattern): " +
		"FreezeThaw's own round trip of a qr// object wraps it the same way",
}

// TestGoFreezePerlThaw sends Go values through Perl: FreezeThaw::thaw,
// then FreezeThaw::freeze of what it got must give back exactly the bytes
// Go wrote, and what Go thaws of those bytes must freeze to them again.
func TestGoFreezePerlThaw(t *testing.T) {
	p := startPerl(t)
	for name, v := range goValues() {
		t.Run(name, func(t *testing.T) {
			goBytes, err := Freeze(v)
			require.NoError(t, err)
			perlBytes := p.refreeze(t, goBytes)
			if why, ok := perlRewrites[name]; ok {
				t.Logf("Perl rewrites it: %s", why)
				assert.Equal(t, "FrT;@1|@1|/13|(?^:(?^i:ab))", string(perlBytes))
				return
			}
			assert.Equal(t, string(goBytes), string(perlBytes))
			back, err := Thaw(perlBytes)
			require.NoError(t, err)
			again, err := Freeze(back)
			require.NoError(t, err)
			assert.Equal(t, string(goBytes), string(again), "Perl's bytes thaw to the data Go froze")
		})
	}
}

// perlCase is a named value of freezethaw.pl and the Go value Thaw makes
// of Perl's image of it.
type perlCase struct {
	name    string
	want    any
	goVal   any    // what Go freezes to get the bytes form, when not want
	inexact string // why Freeze(want) cannot be Perl's image, if so
	// apart: Go's image of want holds a blessed array and the array as
	// two objects, where Perl's blessed scalar reference shares its
	// target, so only the content survives Go's round trip.
	apart bool
}

func perlCases() []perlCase {
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	shA := []any{int64(1), int64(2)}
	shH := map[string]any{"k": "v"}
	cycle := map[string]any{"name": "loop"}
	cycle["self"] = cycle
	arrayCycle := []any{"head", nil}
	arrayCycle[1] = arrayCycle
	sa := []any{int64(1)}
	sb := map[string]any{"x": sa}
	so := serial.Blessed{Class: "O", Value: map[string]any{"b": sb}}
	sp := serial.Blessed{Class: "P", Value: []any{so}}
	sr := &serial.Ref{Value: "s"}
	srr := &serial.Ref{Value: sr}
	self := &serial.Ref{}
	self.Value = self
	empty := make([]any, 0, 1)
	bscalar := serial.Blessed{Class: "S", Value: "v"}
	qr := serial.Blessed{Class: "Regexp", Value: "(?^i:ab)"}
	many := make([]any, 0, 14)
	for i := range 12 {
		many = append(many, serial.Blessed{Class: "C" + strconv.Itoa(i), Value: map[string]any{}})
	}
	many = append(many, serial.Blessed{Class: "C3", Value: []any{}}, serial.Blessed{Class: "C11", Value: []any{}})
	// A blessed scalar reference to an array comes back as the blessed
	// array, which Go writes as bless [...]: these are Perl's images, not
	// Go's.
	late := []any{int64(1)}
	lateS := serial.Blessed{Class: "S", Value: late}
	lateIn := []any{lateS}
	lateNest := []any{serial.Blessed{Class: "S", Value: serial.Blessed{Class: "T", Value: late}}}
	lateTwo := []any{int64(2)}
	lateS2 := serial.Blessed{Class: "S", Value: lateTwo}
	lateH := map[string]any{"s": lateS2}
	const lateWhy = "a blessed scalar reference to an array comes back as the blessed array"
	return []perlCase{
		{name: "ikc-call", want: map[string]any{
			"event":     "poe://Server/echo/echo",
			"params":    []any{map[string]any{"a": int64(1), "b": "two", "c": nil, "d": []any{int64(1), int64(2)}, "e": "2.5"}},
			"rsvp":      map[string]any{"kernel": "Client", "session": int64(2), "state": "reply"},
			"from":      map[string]any{"kernel": "Client", "session": "me", "state": "IKC:proxy"},
			"wantarray": "",
		}},
		{name: "integers",
			want: []any{int64(0), int64(-1), int64(127), int64(2147483648), int64(-2147483649), int64(math.MaxInt64),
				int64(math.MinInt64), "18446744073709551615", "9.00719925474099e+15"},
			goVal: []any{0, int8(-1), uint8(127), uint32(1 << 31), int64(-2147483649), int64(math.MaxInt64),
				int(math.MinInt64), uint64(math.MaxUint64), float64(1 << 53)}},
		{name: "floats",
			want: []any{"2.5", "-3.5", "0.1", "1e+20", "0.333333333333333", "1.5e-07", "Inf", "-Inf", "NaN",
				int64(3), int64(0), "1e+15", "0.3"},
			goVal: []any{2.5, float32(-3.5), 0.1, 1e20, 1.0 / 3, 1.5e-7, math.Inf(1), float32(math.Inf(-1)), math.NaN(),
				3.0, math.Copysign(0, -1), 1e15, 0.1 + 0.2}},
		{name: "strings", want: []any{"", "hello", "007", "-0", "+1", "1.0", " 1", strings.Repeat("x", 300),
			"line\nbreak|$%@_<>\\", string(binary)}},
		{name: "latin1-bytes", want: map[string]any{"caf\xe9": "na\xefve"}},
		{name: "utf8", want: []any{"café", "☺", "😀", "héllo wörld", "plain"},
			inexact: "Perl counts characters in a character string; Go writes bytes"},
		{name: "utf8-keys", want: map[string]any{"☺": int64(1), "ÿ": int64(2), "b": int64(3), "Ըp": int64(4), "ключ": "значение"},
			inexact: "Perl counts characters in a character string; Go writes bytes"},
		{name: "utf8-long", want: []any{strings.Repeat("☺", 300), "tail"},
			inexact: "Perl counts characters in a character string; Go writes bytes"},
		{name: "utf8-object", want: serial.Blessed{Class: "My::Class", Value: map[string]any{"näme": "☺"}},
			inexact: "Perl counts characters in a character string; Go writes bytes"},
		{name: "undef-and-empties", want: []any{nil, []any{}, map[string]any{}, []any{nil}, map[string]any{"u": nil}, &serial.Ref{}}},
		{name: "refs", want: map[string]any{
			"sref": &serial.Ref{Value: "text"}, "rref": &serial.Ref{Value: &serial.Ref{Value: "x"}},
			"href": &serial.Ref{Value: map[string]any{"a": int64(1)}}, "aref": &serial.Ref{Value: []any{int64(1)}},
			"three": &serial.Ref{Value: &serial.Ref{Value: &serial.Ref{Value: "x"}}},
		}},
		{name: "blessed", want: []any{
			serial.Blessed{Class: "My::Class", Value: map[string]any{"n": int64(1)}},
			serial.Blessed{Class: "My::List", Value: []any{int64(1), int64(2)}},
			serial.Blessed{Class: "My::Scalar", Value: "scalar"},
			serial.Blessed{Class: "My::Ref", Value: &serial.Ref{Value: "rr"}},
			serial.Blessed{Class: "My::Class", Value: map[string]any{}},
			serial.Blessed{Class: "My::Undef", Value: nil},
		}},
		{name: "blessed-container-refs", want: []any{
			serial.Blessed{Class: "R", Value: map[string]any{"a": int64(1)}},
			serial.Blessed{Class: "R", Value: []any{int64(1)}},
		}, inexact: "bless \\{...} and bless \\[...] come back as the blessed container, which Go writes as bless {...} and bless [...]"},
		{name: "many-classes", want: many},
		{name: "shared", want: map[string]any{"a1": shA, "a2": shA, "h1": shH, "h2": shH, "list": []any{shH, shA}}},
		{name: "cycle", want: cycle},
		{name: "array-cycle", want: arrayCycle},
		{name: "shared-objects", want: map[string]any{"z": sa, "y": sb, "x": so, "w": sp, "v": sp, "u": so}},
		{name: "shared-scalar-refs", want: []any{srr, srr, sr}},
		{name: "self-ref", want: self},
		{name: "shared-empty", want: []any{empty, empty, map[string]any{}}},
		{name: "shared-blessed-scalar", want: []any{bscalar, bscalar},
			inexact: "a blessed scalar has no identity in Go: it is written twice"},
		{name: "regexps", want: []any{qr, serial.Blessed{Class: "Regexp", Value: "(?^:x)"}}},
		{name: "shared-regexp", want: []any{qr, qr},
			inexact: "a qr// object has no identity in Go: it is written twice"},
		{name: "top-scalar", want: "just text"},
		{name: "top-undef", want: nil},
		{name: "nested", want: []any{[]any{[]any{[]any{map[string]any{"deep": []any{"down"}}}}}}},
		{name: "long-string", want: []any{strings.Repeat("y", 70000)}},
		{name: "number-keys", want: map[string]any{"7": "seven", "-1": "minus", "007": "bond", "10": "ten"}},
		{name: "late-in-array", want: []any{lateIn, lateIn, late, late}, inexact: lateWhy, apart: true},
		{name: "late-object", want: []any{lateS, lateS, late, late}, inexact: lateWhy, apart: true},
		{name: "late-chain", want: []any{serial.Blessed{Class: "T", Value: lateS}, serial.Blessed{Class: "T", Value: lateS}, lateS, lateS, late, late},
			inexact: lateWhy, apart: true},
		{name: "late-nested", want: []any{lateNest, lateNest, late, late}, inexact: lateWhy, apart: true},
		{name: "late-in-hash", want: []any{lateH, lateH, lateS2, lateTwo, lateTwo}, inexact: lateWhy, apart: true},
	}
}

// TestPerlFreezeGoThaw thaws the images Perl's FreezeThaw made of a table
// of Perl values, as POE::Filter::Reference sends them, and checks each
// is the Go value Perl meant. Freezing that Go value (or the Go value
// standing for the same Perl data) must give Perl's freeze of the same
// data with its text as bytes; where no character string is involved,
// that is Perl's image itself.
func TestPerlFreezeGoThaw(t *testing.T) {
	p := startPerl(t)
	cases := perlCases()
	require.Len(t, cases, len(p.order), "every Perl value has a Go expectation")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := p.samples[tc.name]
			require.True(t, ok, "perl has no value %s", tc.name)
			got, err := Thaw(s.wire)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.True(t, modelEqual(tc.want, got), "same sharing")
			v := tc.want
			if tc.goVal != nil {
				v = tc.goVal
			}
			out, err := Freeze(v)
			require.NoError(t, err)
			if tc.inexact != "" {
				t.Logf("not Perl's bytes: %s", tc.inexact)
				if strings.HasPrefix(tc.inexact, "Perl counts") {
					assert.Equal(t, string(s.bytes), string(out), "Perl's freeze of the text as bytes")
				}
				back, err := Thaw(out)
				require.NoError(t, err)
				if tc.apart {
					assert.Equal(t, got, back)
					return
				}
				assert.True(t, modelEqual(got, back))
				return
			}
			assert.Equal(t, string(s.wire), string(s.bytes))
			assert.Equal(t, string(s.wire), string(out), "Go writes Perl's image")
		})
	}
}

// TestPerlSharingThaws checks that what Perl shared is one Go value, not
// copies: the same map, the same slice, the same *serial.Ref.
func TestPerlSharingThaws(t *testing.T) {
	p := startPerl(t)
	thawed := func(name string) any {
		v, err := Thaw(p.samples[name].wire)
		require.NoError(t, err)
		return v
	}
	m := thawed("shared").(map[string]any)
	m["h1"].(map[string]any)["probe"] = true
	assert.Equal(t, true, m["h2"].(map[string]any)["probe"])
	assert.Equal(t, true, m["list"].([]any)[0].(map[string]any)["probe"])
	m["a1"].([]any)[0] = "changed"
	assert.Equal(t, "changed", m["a2"].([]any)[0])
	assert.Equal(t, "changed", m["list"].([]any)[1].([]any)[0])

	c := thawed("cycle").(map[string]any)
	c["probe"] = true
	assert.Equal(t, true, c["self"].(map[string]any)["probe"])

	a := thawed("array-cycle").([]any)
	a[0] = "changed"
	assert.Equal(t, "changed", a[1].([]any)[0])

	so := thawed("shared-objects").(map[string]any)
	o := so["x"].(serial.Blessed).Value.(map[string]any)
	o["probe"] = true
	assert.Equal(t, true, so["u"].(serial.Blessed).Value.(map[string]any)["probe"])
	pl := so["w"].(serial.Blessed).Value.([]any)
	assert.Equal(t, true, pl[0].(serial.Blessed).Value.(map[string]any)["probe"], "P holds the O object")
	so["z"].([]any)[0] = "changed"
	assert.Equal(t, "changed", so["y"].(map[string]any)["x"].([]any)[0], "an array shared before it was restored")

	r := thawed("shared-scalar-refs").([]any)
	assert.Same(t, r[0], r[1])
	assert.Same(t, r[2], r[0].(*serial.Ref).Value)

	self := thawed("self-ref").(*serial.Ref)
	assert.Same(t, self, self.Value)
}
