package storable

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/internal/perlval"
)

// The reflection fallback: typed maps and slices, arrays, structs and
// pointers. The common types never get here.

var (
	refType     = reflect.TypeFor[*serial.Ref]()
	blessedType = reflect.TypeFor[serial.Blessed]()
)

// isContainer reports whether v is written as a Perl hash or array body.
func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	case nil, serial.Blessed, *serial.Blessed, *serial.Ref:
		return false
	}
	_, ok := containerValue(reflect.ValueOf(v))
	return ok
}

// containerValue follows pointers and interfaces and reports whether what
// it finds is a hash or array.
func containerValue(rv reflect.Value) (reflect.Value, bool) {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() || rv.Type() == refType {
			return rv, false
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Struct:
		return rv, rv.Type() != blessedType
	case reflect.Map:
		return rv, true
	case reflect.Slice, reflect.Array:
		return rv, rv.Type().Elem().Kind() != reflect.Uint8
	}
	return rv, false
}

func (e *encoder) topReflect(v any) error {
	rv, ok := containerValue(reflect.ValueOf(v))
	if !ok {
		return e.svValue(rv)
	}
	return e.body(rv)
}

func (e *encoder) svReflect(v any) error {
	return e.svValue(reflect.ValueOf(v))
}

// svValue writes the scalar standing for rv inside a container.
func (e *encoder) svValue(rv reflect.Value) error {
	if !rv.IsValid() {
		e.op(sxUndef)
		return nil
	}
	if rv.CanInterface() && (rv.Kind() != reflect.Interface && rv.Kind() != reflect.Pointer || rv.Type() == refType) {
		if v := rv.Interface(); isScalarType(v) || isModelType(v) {
			return e.sv(v)
		}
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			e.op(sxUndef)
			return nil
		}
		if rv.Elem().CanInterface() && rv.Kind() == reflect.Interface {
			return e.sv(rv.Elem().Interface())
		}
		return e.svValue(rv.Elem())
	case reflect.String:
		e.str(rv.String())
	case reflect.Bool:
		return e.sv(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uint(rv.Uint())
	case reflect.Float32, reflect.Float64:
		e.float(rv.Float())
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			e.bytesStr(string(perlval.Bytes(rv)))
			return nil
		}
		return e.ref(func() error { return e.body(rv) })
	case reflect.Map, reflect.Struct:
		return e.ref(func() error { return e.body(rv) })
	default:
		return fmt.Errorf("storable: freeze: %w %s items (Go %s)", ErrFreeze, rv.Kind(), rv.Type())
	}
	return nil
}

func isModelType(v any) bool {
	switch v.(type) {
	case map[string]any, []any, serial.Blessed, *serial.Blessed:
		return true
	}
	return false
}

// body writes a hash or array body for a reflected container.
func (e *encoder) body(rv reflect.Value) error {
	if rv.CanInterface() {
		if v := rv.Interface(); isModelType(v) {
			return e.top(v)
		}
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		e.op(sxArray)
		e.len4(rv.Len())
		for i := range rv.Len() {
			if err := e.svValue(rv.Index(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		return e.mapBody(rv)
	}
	return e.structBody(rv)
}

func (e *encoder) mapBody(rv reflect.Value) error {
	entries, err := perlval.MapEntries(rv, keyString)
	if err != nil {
		return err
	}
	flagged := hasCharKey(entries)
	inPerlKeyOrder(entries, func(x perlval.Entry) string { return x.K }, flagged)
	return e.entries(entries, flagged)
}

// keyString is the Perl hash key for a Go map key (perlval.KeyText). A
// uintptr key is refused with the kinds Perl has no key for.
func keyString(k reflect.Value) (string, error) {
	if s, ok := perlval.KeyText(k); ok && k.Kind() != reflect.Uintptr {
		return s, nil
	}
	return "", fmt.Errorf("storable: freeze: %w map key of type %s (Perl hash keys are strings)", ErrFreeze, k.Type())
}

func (e *encoder) structBody(rv reflect.Value) error {
	entries := perlval.StructEntries(rv)
	return e.entries(entries, hasCharKey(entries))
}

// entries writes a hash of a typed map's or a struct's entries, in the
// order given, flagged telling whether a key is a character string.
func (e *encoder) entries(entries []perlval.Entry, flagged bool) error {
	e.hashHead(len(entries), flagged)
	for _, en := range entries {
		if err := e.svValue(en.V); err != nil {
			return err
		}
		e.key(en.K, flagged)
	}
	return nil
}

func hasCharKey(entries []perlval.Entry) bool {
	return slices.ContainsFunc(entries, func(en perlval.Entry) bool { return isCharString(en.K) })
}
