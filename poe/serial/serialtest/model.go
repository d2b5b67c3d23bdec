package serialtest

import (
	"reflect"

	"github.com/poe-go/poe/poe/serial"
)

// ModelEqual reports whether a and b are the same value of the serial
// data model: maps, []any, serial.Blessed and *serial.Ref alike in
// content, a nil container differing from an empty one, and every other
// pair of values equal as leaf makes them (leaf(a) == leaf(b); a nil leaf
// compares them as they are). The two must share alike too: a map,
// non-empty slice or reference met again on one side must be met again,
// as the one it was paired with, on the other. It follows each pair once,
// so shared and cyclic data compare in finite time.
func ModelEqual(a, b any, leaf func(any) any) bool {
	m := &matcher{leaf: leaf, ab: map[identity]identity{}, ba: map[identity]identity{}}
	return m.equal(a, b)
}

// identity is a container's address, and for a slice its length (a
// shorter slice of the same array is another Perl array).
type identity struct {
	p uintptr
	n int
}

type matcher struct {
	leaf   func(any) any
	ab, ba map[identity]identity // containers paired so far, each way
}

func (m *matcher) equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		if x == nil {
			return true
		}
		if done, same := m.pair(x, y, -1); done {
			return same
		}
		for key, xv := range x {
			yv, ok := y[key]
			if !ok || !m.equal(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		if len(x) == 0 {
			return true // no address of its own to share
		}
		if done, same := m.pair(x, y, len(x)); done {
			return same
		}
		for i := range x {
			if !m.equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case serial.Blessed:
		y, ok := b.(serial.Blessed)
		return ok && x.Class == y.Class && m.equal(x.Value, y.Value)
	case *serial.Ref:
		y, ok := b.(*serial.Ref)
		if !ok || (x == nil) != (y == nil) {
			return false
		}
		if x == nil {
			return true
		}
		if done, same := m.pair(x, y, -1); done {
			return same
		}
		return m.equal(x.Value, y.Value)
	}
	if m.leaf != nil {
		a, b = m.leaf(a), m.leaf(b)
	}
	return a == b
}

// pair records that containers x and y (of length n, or -1 for a map or
// a reference) stand for each other. It reports whether either was met
// before, and then whether they were paired with each other.
func (m *matcher) pair(x, y any, n int) (done, same bool) {
	ix := identity{reflect.ValueOf(x).Pointer(), n}
	iy := identity{reflect.ValueOf(y).Pointer(), n}
	px, okx := m.ab[ix]
	py, oky := m.ba[iy]
	if okx || oky {
		return true, okx && oky && px == iy && py == ix
	}
	m.ab[ix], m.ba[iy] = iy, ix
	return false, false
}
