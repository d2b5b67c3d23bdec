package freezethaw

import (
	"reflect"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/internal/perlval"
)

// The reflection fallback of Freeze: typed maps and slices, arrays,
// structs, pointers and named types. The data model's own types never get
// here. Only the model's maps, slices and *serial.Ref are Perl references
// with an identity; a typed container met twice is written twice.

var (
	refType     = reflect.TypeFor[*serial.Ref]()
	blessedType = reflect.TypeFor[serial.Blessed]()
	blessedPtr  = reflect.TypeFor[*serial.Blessed]()
	anySlice    = reflect.TypeFor[[]any]()
	anyMap      = reflect.TypeFor[map[string]any]()
)

func (e *encoder) reflectScalar(v any) error {
	return e.value(reflect.ValueOf(v))
}

// isModel reports whether values of type t are handled by scalar itself.
func isModel(t reflect.Type) bool {
	return t == refType || t == blessedType || t == blessedPtr || t == anySlice || t == anyMap
}

// value writes the scalar standing for rv.
func (e *encoder) value(rv reflect.Value) error {
	if !rv.IsValid() {
		e.buf = append(e.buf, tagUndef)
		return nil
	}
	if isModel(rv.Type()) && rv.CanInterface() {
		return e.scalar(rv.Interface())
	}
	switch rv.Kind() {
	case reflect.Interface:
		if rv.IsNil() {
			e.buf = append(e.buf, tagUndef)
			return nil
		}
		if el := rv.Elem(); el.CanInterface() {
			return e.scalar(el.Interface())
		}
		return e.value(rv.Elem())
	case reflect.Pointer:
		if rv.IsNil() {
			e.buf = append(e.buf, tagUndef)
			return nil
		}
		// A pointer is what it points to. Counting it as nesting stops
		// a pointer that leads back to itself.
		if err := e.enter(); err != nil {
			return err
		}
		if err := e.value(rv.Elem()); err != nil {
			return err
		}
		e.depth--
		return nil
	case reflect.String:
		e.str(rv.String())
	case reflect.Bool:
		if rv.Bool() {
			e.str("1")
		} else {
			e.str("")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uint(rv.Uint())
	case reflect.Float32, reflect.Float64:
		e.float(rv.Float())
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			e.str(string(perlval.Bytes(rv)))
			return nil
		}
		return e.reflectBody(rv)
	case reflect.Map, reflect.Struct:
		return e.reflectBody(rv)
	default:
		return freezeError(ErrFreeze, "%s items (Go %s)", rv.Kind(), rv.Type())
	}
	return nil
}

// containerValue follows pointers and interfaces from v and reports
// whether what it finds is written as a hash or an array body: a blessed
// typed container is the object itself, not a reference to one.
func containerValue(v any) (reflect.Value, bool) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return rv, false
	}
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() || isModel(rv.Type()) {
			return rv, false
		}
		rv = rv.Elem()
	}
	if isModel(rv.Type()) {
		return rv, false
	}
	switch rv.Kind() {
	case reflect.Struct, reflect.Map:
		return rv, true
	case reflect.Slice, reflect.Array:
		return rv, rv.Type().Elem().Kind() != reflect.Uint8
	}
	return rv, false
}

// reflectBody writes a typed slice or array as an array, and a typed map
// or a struct as a hash.
func (e *encoder) reflectBody(rv reflect.Value) error {
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if err := e.enter(); err != nil {
			return err
		}
		e.buf = append(e.buf, tagArray)
		e.num(rv.Len())
		for i := range rv.Len() {
			if err := e.value(rv.Index(i)); err != nil {
				return err
			}
		}
		e.depth--
		return nil
	case reflect.Map:
		entries, err := perlval.MapEntries(rv, keyString)
		if err != nil {
			return err
		}
		return e.entriesBody(entries)
	}
	return e.entriesBody(perlval.StructEntries(rv))
}

// entriesBody writes a hash body of entries sorted by key, as hashBody
// does.
func (e *encoder) entriesBody(entries []perlval.Entry) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.buf = append(e.buf, tagHash)
	e.num(2 * len(entries))
	for _, en := range entries {
		e.str(en.K)
	}
	for _, en := range entries {
		if err := e.value(en.V); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}

// keyString is the Perl hash key for a Go map key (perlval.KeyText).
func keyString(k reflect.Value) (string, error) {
	if s, ok := perlval.KeyText(k); ok {
		return s, nil
	}
	return "", freezeError(ErrFreeze, "map key of type %s (Perl hash keys are strings)", k.Type())
}
