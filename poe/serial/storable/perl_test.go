package storable

import (
	"encoding/hex"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/serialtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// perlPeer is one perl child running testdata/perl/roundtrip.pl: it first
// lists Perl's own nfreeze images, then re-freezes whatever it is sent.
type perlPeer struct {
	*serialtest.PerlChild
	samples []perlSample
}

type perlSample struct {
	name string
	data []byte
}

func startPerl(t *testing.T) *perlPeer {
	t.Helper()
	p := &perlPeer{PerlChild: startPerlChild(t, "testdata/perl/roundtrip.pl")}
	for {
		line := p.Line(t)
		if line == "END" {
			break
		}
		name, hx, _ := strings.Cut(line, " ")
		b, err := hex.DecodeString(hx)
		require.NoError(t, err)
		p.samples = append(p.samples, perlSample{name, b})
	}
	return p
}

// startPerlChild runs a script of testdata/perl beside the test, with a
// perl that has Storable (else the test is skipped).
func startPerlChild(t *testing.T, script string) *serialtest.PerlChild {
	t.Helper()
	return serialtest.StartPerl(t, 30*time.Second, serialtest.Perl(t, "Storable"), script)
}

// refreeze has Perl thaw data and nfreeze the result with sorted keys.
func (p *perlPeer) refreeze(t *testing.T, data []byte) []byte {
	t.Helper()
	b, perr := p.tryRefreeze(t, data)
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

func goValues() map[string]any {
	shared := []any{int64(1), int64(2)}
	cycle := map[string]any{"name": "loop"}
	cycle["self"] = cycle
	manyClasses := make([]any, 0, 131)
	for i := range 130 {
		manyClasses = append(manyClasses, serial.Blessed{Class: "C" + strings.Repeat("x", i), Value: map[string]any{}})
	}
	manyClasses = append(manyClasses, serial.Blessed{Class: "C" + strings.Repeat("x", 129), Value: []any{}})
	return map[string]any{
		"an IKC call record": map[string]any{
			"event":     "poe://Server/echo/echo",
			"params":    []any{map[string]any{"a": 1, "b": "two", "c": nil, "d": []any{1, 2}, "e": 2.5}},
			"rsvp":      map[string]any{"kernel": "Client", "session": 2, "state": "reply"},
			"from":      map[string]any{"kernel": "Client", "session": "me", "state": "IKC:proxy"},
			"wantarray": "",
		},
		"integers of every width": []any{int8(-5), int16(300), int32(-70000), int64(1) << 40, uint8(200),
			uint16(65535), uint32(math.MaxUint32), uint64(math.MaxUint64), int(math.MinInt64), 0},
		"floats":             []any{2.5, 0.1, 1e20, math.Copysign(0, -1), 3.0, 1.0 / 3, math.Inf(1), math.Inf(-1), math.NaN(), 1e15, 1 << 53, float32(0.5), 1.5e-7},
		"strings":            []any{"", "hello", strings.Repeat("x", 300), "café", "☺", strings.Repeat("é", 200), "caf\xe9", []byte{0, 1, 255}, [3]byte{'a', 'b', 'c'}},
		"booleans and nil":   []any{true, false, nil},
		"a UTF-8 keyed hash": map[string]any{"ключ": "значение", "plain": 1},
		// Perl sorts keys as characters once one is UTF-8: "\xff" is
		// U+00FF, before "Ը" (U+0538) though d4 is the smaller byte.
		"keys of both kinds": []any{map[string]any{"b": 1, "Ըp": 2, "\xff": 3}, map[string]int{"b": 1, "Ըp": 2, "\xff": 3}},
		"typed containers":   map[string]any{"ss": []string{"a", "b"}, "mi": map[string]int{"x": 1}, "ik": map[int]string{7: "seven"}, "nil": []int(nil)},
		"a tagged struct":    &tagged{Name: "n", Count: 3, Skip: "no", Plain: []string{"p"}},
		"a nil pointer":      []any{(*tagged)(nil)},
		"objects": []any{
			serial.Blessed{Class: "My::Class", Value: map[string]any{"n": 1}},
			serial.Blessed{Class: "My::Class", Value: []any{1}},
			&serial.Blessed{Class: "Other", Value: "s"},
		},
		"a class name over 127 bytes": serial.Blessed{Class: strings.Repeat("C", 130), Value: map[string]any{}},
		"more than 128 classes":       manyClasses,
		"references": map[string]any{
			"sref": &serial.Ref{Value: "text"}, "rref": &serial.Ref{Value: &serial.Ref{Value: "x"}},
			"href": &serial.Ref{Value: map[string]any{"a": 1}},
		},
		"shared data":   map[string]any{"a": shared, "b": shared},
		"a cycle":       cycle,
		"a top scalar":  "just a string",
		"a top integer": 42,
	}
}

// TestGoFreezePerlThaw sends Go values through Perl (thaw, then nfreeze
// with sorted keys): Perl must give back exactly the bytes Go wrote.
func TestGoFreezePerlThaw(t *testing.T) {
	p := startPerl(t)
	for name, v := range goValues() {
		t.Run(name, func(t *testing.T) {
			goBytes, err := Freeze(v)
			require.NoError(t, err)
			perlBytes := p.refreeze(t, goBytes)
			assert.Equal(t, hex.EncodeToString(goBytes), hex.EncodeToString(perlBytes))
			back, err := Thaw(perlBytes)
			require.NoError(t, err)
			mine, err := Thaw(goBytes)
			require.NoError(t, err)
			assert.True(t, modelEqual(mine, back))
		})
	}
}

// perlByteExact lists Perl values whose Go re-freeze differs in bytes
// from Perl's, and why; Perl still reads them back to the same data.
var perlByteExact = map[string]string{
	"upgraded-key": "a key flagged as downgraded UTF-8 comes back flagged UTF-8",
}

// TestPerlFreezeGoThaw takes Perl's own nfreeze images, thaws and
// re-freezes them in Go, and has Perl thaw Go's bytes: Perl must see the
// same data it started with.
func TestPerlFreezeGoThaw(t *testing.T) {
	p := startPerl(t)
	require.NotEmpty(t, p.samples)
	for _, s := range p.samples {
		t.Run(s.name, func(t *testing.T) {
			v, err := Thaw(s.data)
			require.NoError(t, err)
			goBytes, err := Freeze(v)
			require.NoError(t, err)
			if _, ok := perlByteExact[s.name]; !ok {
				assert.Equal(t, hex.EncodeToString(s.data), hex.EncodeToString(goBytes))
			}
			assert.Equal(t, hex.EncodeToString(s.data), hex.EncodeToString(p.refreeze(t, goBytes)), "Perl reads Go's bytes as its own data")
		})
	}
}
