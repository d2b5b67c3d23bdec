// Package serial is the seam between POE::Filter::Reference and the
// serializers it can carry: a Serializer freezes one Go value into bytes and
// thaws bytes back into a value, and a registry finds serializers by the name
// IKC negotiates with (the text after FREEZER, e.g. "Storable").
//
// Every serializer maps Perl data and Go data through one model, so that a
// handler sees the same Go values whichever peer sent them:
//
//	Perl                         Go (what Thaw returns)
//	undef                        nil
//	integer (IV)                 int64
//	number (NV)                  float64
//	string (bytes or UTF-8)      string
//	array / array ref            []any
//	hash / hash ref              map[string]any
//	blessed reference            Blessed{Class, Value}
//	ref to a ref or scalar       *Ref
//	true / false immortals       bool
//
// Freeze additionally accepts the other common Go shapes (every integer and
// float width, []byte, typed slices and maps, structs, pointers); each
// serializer documents what they become on the wire.
package serial

import (
	"fmt"
	"sort"
	"sync"
)

// Serializer freezes and thaws one value, as a Perl serializer package with
// nfreeze/thaw does for POE::Filter::Reference.
type Serializer interface {
	// Name is the negotiation name IKC sends after FREEZER.
	Name() string
	// Freeze appends the serialized form of v to dst and returns the
	// extended buffer, or an error naming what could not be serialized.
	Freeze(dst []byte, v any) ([]byte, error)
	// Thaw decodes exactly one value from data. It never panics: malformed
	// input returns an error that names the offset and the problem.
	Thaw(data []byte) (any, error)
}

// Blessed is a Perl object: a reference blessed into Class.
type Blessed struct {
	Class string
	Value any
}

// Ref is a Perl reference to a scalar or to another reference, the one shape
// that cannot be modelled by the referenced container itself.
type Ref struct {
	Value any
}

var (
	mu       sync.RWMutex
	registry = map[string]Serializer{}
)

// Register makes s available under s.Name() to Lookup and to IKC
// negotiation. Registering the same name twice replaces the first.
func Register(s Serializer) {
	mu.Lock()
	defer mu.Unlock()
	registry[s.Name()] = s
}

// Lookup returns the serializer registered under name.
func Lookup(name string) (Serializer, error) {
	mu.RLock()
	defer mu.RUnlock()
	s, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("serial: no serializer named %q", name)
	}
	return s, nil
}

// Names lists the registered serializer names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MapLeaves returns a copy of v, a value as Thaw returns it, with every
// array ([]any) and hash (map[string]any) copied and every other value
// inside them replaced by leaf's result for it. It is the walk a program
// needs to turn thawed data into another form (to print it, to compare
// it), with only the leaves to handle.
func MapLeaves(v any, leaf func(any) any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = MapLeaves(e, leaf)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = MapLeaves(e, leaf)
		}
		return out
	}
	return leaf(v)
}
