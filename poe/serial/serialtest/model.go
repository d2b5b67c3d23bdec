package serialtest

import (
	"reflect"

	"github.com/poe-go/poe/poe/serial"
)

// ModelEqual reports whether a and b are the same value of the serial
// data model: maps, []any, serial.Blessed and *serial.Ref alike in
// content, a nil container differing from an empty one, and every other
// pair of values equal as leaf makes them (leaf(a) == leaf(b); a nil leaf
// compares them as they are). It follows each pair of maps, non-empty
// slices or references once, so shared and cyclic data compare in finite
// time.
func ModelEqual(a, b any, leaf func(any) any) bool {
	return modelEqual(a, b, leaf, map[[2]uintptr]bool{})
}

func modelEqual(a, b any, leaf func(any) any, seen map[[2]uintptr]bool) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		if once(seen, x, y) {
			return true
		}
		for key, xv := range x {
			yv, ok := y[key]
			if !ok || !modelEqual(xv, yv, leaf, seen) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		if len(x) > 0 && once(seen, x, y) {
			return true
		}
		for i := range x {
			if !modelEqual(x[i], y[i], leaf, seen) {
				return false
			}
		}
		return true
	case serial.Blessed:
		y, ok := b.(serial.Blessed)
		return ok && x.Class == y.Class && modelEqual(x.Value, y.Value, leaf, seen)
	case *serial.Ref:
		y, ok := b.(*serial.Ref)
		if !ok {
			return false
		}
		if once(seen, x, y) {
			return true
		}
		return modelEqual(x.Value, y.Value, leaf, seen)
	}
	if leaf != nil {
		a, b = leaf(a), leaf(b)
	}
	return a == b
}

// once reports whether the pair x, y was compared before, and records it.
func once(seen map[[2]uintptr]bool, x, y any) bool {
	k := [2]uintptr{reflect.ValueOf(x).Pointer(), reflect.ValueOf(y).Pointer()}
	if seen[k] {
		return true
	}
	seen[k] = true
	return false
}
