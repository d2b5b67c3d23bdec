package freezethaw

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomGraph builds random data in the shape of thawed values, with
// containers shared between places and some cycles, to check the order in
// which Freeze lists shared objects against Perl's.
type randomGraph struct {
	r      *rand.Rand
	shared []any // containers that may appear again
}

func (g *randomGraph) value(depth int) any {
	if len(g.shared) > 0 && g.r.IntN(5) == 0 {
		return g.shared[g.r.IntN(len(g.shared))]
	}
	if depth <= 0 || g.r.IntN(4) == 0 {
		return g.scalar()
	}
	var v any
	switch g.r.IntN(6) {
	case 0, 1:
		m := map[string]any{}
		for range g.r.IntN(5) {
			m[g.key()] = g.value(depth - 1)
		}
		v = m
	case 2, 3:
		n := g.r.IntN(5)
		a := make([]any, n, n+g.r.IntN(2)) // some empty arrays have an address
		for i := range a {
			a[i] = g.value(depth - 1)
		}
		v = a
	case 4:
		v = &serial.Ref{Value: g.value(depth - 1)}
	default:
		cls := []string{"My::Class", "Other", "A::B::C"}[g.r.IntN(3)]
		switch g.r.IntN(3) {
		case 0:
			v = serial.Blessed{Class: cls, Value: map[string]any{g.key(): g.value(depth - 1)}}
		case 1:
			v = serial.Blessed{Class: cls, Value: []any{g.value(depth - 1)}}
		default:
			v = serial.Blessed{Class: cls, Value: g.scalar()}
		}
	}
	g.shared = append(g.shared, v)
	return v
}

func (g *randomGraph) key() string {
	return []string{"a", "b", "key", "é", "ключ", "10", "-1", "", "z z"}[g.r.IntN(9)]
}

func (g *randomGraph) scalar() any {
	switch g.r.IntN(6) {
	case 0:
		return nil
	case 1:
		return g.r.Int64N(1<<40) - 1<<39
	case 2:
		return strconv.FormatFloat(g.r.Float64()*100, 'g', 15, 64)
	case 3:
		return strings.Repeat("☺", g.r.IntN(3)) + "x"
	case 4:
		return "caf\xe9"
	}
	return g.key()
}

// cycles makes some maps and arrays hold a container that holds them.
func (g *randomGraph) cycles() {
	for range g.r.IntN(3) {
		if len(g.shared) == 0 {
			return
		}
		target := g.shared[g.r.IntN(len(g.shared))]
		switch c := g.shared[g.r.IntN(len(g.shared))].(type) {
		case map[string]any:
			c["loop"] = target
		case []any:
			if len(c) > 0 {
				c[0] = target
			}
		case *serial.Ref:
			c.Value = target
		}
	}
}

// TestRandomGraphsPerl freezes random graphs of shared and cyclic data:
// Perl must thaw and freeze each back to exactly Go's bytes, and Go must
// thaw those bytes to the data frozen, shared alike, which freezes to
// them again.
func TestRandomGraphsPerl(t *testing.T) {
	p := startPerl(t)
	shared, size := 0, 0
	for seed := range uint64(300) {
		g := &randomGraph{r: rand.New(rand.NewPCG(seed, 7))}
		v := map[string]any{}
		for range 3 + g.r.IntN(4) {
			v[g.key()] = g.value(5)
		}
		g.cycles()
		goBytes, err := Freeze(v)
		require.NoError(t, err, "seed %d", seed)
		if strings.HasPrefix(string(goBytes), "FrT;!") {
			shared++
		}
		size += len(goBytes)
		perlBytes := p.refreeze(t, goBytes)
		if !assert.Equal(t, string(goBytes), string(perlBytes), "seed %d", seed) {
			continue
		}
		back, err := Thaw(perlBytes)
		require.NoError(t, err, "seed %d", seed)
		assert.True(t, perlEqual(v, back), "seed %d: Perl's bytes thaw to the data frozen", seed)
		again, err := Freeze(back)
		require.NoError(t, err)
		assert.Equal(t, string(goBytes), string(again), "seed %d: thawed data freezes to the same image", seed)
	}
	assert.Greater(t, shared, 150, "enough graphs share something")
	t.Logf("%d graphs, %d sharing, %d bytes in all", 300, shared, size)
}
