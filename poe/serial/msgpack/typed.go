package msgpack

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"sync"

	mp "github.com/vmihailenco/msgpack/v5"
)

// The library encodes a typed value (a struct, a typed slice or map, a
// pointer) by recursing through it with no limit of its own, so a value
// that reaches itself (type N struct{ Next *N } with n.Next = n, or a
// struct whose interface field holds a pointer to the struct) would
// recurse until the stack overflowed, which no recover catches: the whole
// process would die. Before handing such a value over, Freeze walks it
// under its own MaxDepth. Only types that can nest without bound are
// walked (those that reach themselves or hold an interface); the others,
// flat or of a fixed shape, cost one lookup of their type. The walk goes
// where the library's encoding goes: not into fields it skips, nor into
// types that encode themselves.

// unbounded caches, per type, whether a value of it can nest without
// bound.
var unbounded sync.Map // reflect.Type -> bool

// mayNestDeep reports whether values of t can nest without bound: t
// reaches an interface, or itself, through its elements and fields.
func mayNestDeep(t reflect.Type) bool {
	if v, ok := unbounded.Load(t); ok {
		return v.(bool)
	}
	deep := reaches(t, map[reflect.Type]bool{})
	unbounded.Store(t, deep)
	return deep
}

// reaches is mayNestDeep's search; onPath holds the types being searched
// further out, so that meeting one again is a cycle.
func reaches(t reflect.Type, onPath map[reflect.Type]bool) bool {
	if onPath[t] {
		return true
	}
	if encodesItself(t) {
		return false
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		onPath[t] = true
		defer delete(onPath, t)
		return reaches(t.Elem(), onPath)
	case reflect.Map:
		onPath[t] = true
		defer delete(onPath, t)
		return reaches(t.Key(), onPath) || reaches(t.Elem(), onPath)
	case reflect.Struct:
		onPath[t] = true
		defer delete(onPath, t)
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); encodedField(f) && reaches(f.Type, onPath) {
				return true
			}
		}
	}
	return false
}

var selfEncoders = []reflect.Type{
	reflect.TypeFor[mp.CustomEncoder](),
	reflect.TypeFor[mp.Marshaler](),
	reflect.TypeFor[encoding.BinaryMarshaler](),
	reflect.TypeFor[encoding.TextMarshaler](),
}

// encodesItself reports whether the library hands values of t to their
// own encoding method rather than walking them.
func encodesItself(t reflect.Type) bool {
	if t.Kind() == reflect.Interface {
		return false // the dynamic value decides
	}
	for _, i := range selfEncoders {
		if t.Implements(i) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(i)) {
			return true
		}
	}
	return false
}

// encodedField reports whether the library encodes the struct field f:
// not one tagged "-" (the msgpack tag, else the ikc one), nor an
// unexported one that is not embedded.
func encodedField(f reflect.StructField) bool {
	tag, ok := f.Tag.Lookup("msgpack")
	if !ok || tag == "" {
		tag = f.Tag.Get("ikc")
	}
	if tag == "-" || strings.HasPrefix(tag, "-,") {
		return false
	}
	return f.IsExported() || f.Anonymous
}

// checkTypedDepth walks v, a value the library is about to encode,
// counting one level for each struct, slice, array or map it goes through
// from depth on, as Freeze counts its own lists and hashes, and refuses
// it with ErrTooDeep past maxDepth.
func checkTypedDepth(v any, depth, maxDepth int) error {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || !mayNestDeep(rv.Type()) {
		return nil
	}
	if !walkDepth(rv, depth, 0, maxDepth) {
		return fmt.Errorf("msgpack: freeze %T: %w: deeper than %d (a value that contains itself?)", v, ErrTooDeep, maxDepth)
	}
	return nil
}

// walkDepth reports whether rv, at depth, stays within maxDepth. Pointers
// and interfaces add no level, but hops counts those followed in a row,
// so that pointers that reach themselves alone are refused too.
func walkDepth(rv reflect.Value, depth, hops, maxDepth int) bool {
	if rv.Kind() != reflect.Interface && !mayNestDeep(rv.Type()) {
		return true // flat, or encoding itself
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if hops++; hops > maxDepth {
			return false
		}
		return rv.IsNil() || walkDepth(rv.Elem(), depth, hops, maxDepth)
	}
	if depth++; depth > maxDepth {
		return false
	}
	switch rv.Kind() {
	case reflect.Struct:
		t := rv.Type()
		for i := 0; i < rv.NumField(); i++ {
			if encodedField(t.Field(i)) && !walkDepth(rv.Field(i), depth, 0, maxDepth) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			if !walkDepth(rv.Index(i), depth, 0, maxDepth) {
				return false
			}
		}
	case reflect.Map:
		for it := rv.MapRange(); it.Next(); {
			if !walkDepth(it.Key(), depth, 0, maxDepth) || !walkDepth(it.Value(), depth, 0, maxDepth) {
				return false
			}
		}
	}
	return true
}
