package perlval

import (
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Field is an exported struct field as a Perl hash entry.
type Field struct {
	Name      string // the hash key
	Index     []int  // the field's index sequence, for FieldByIndexErr
	OmitEmpty bool   // ",omitempty": leave the entry out for a zero value
}

var fieldCache sync.Map // reflect.Type -> []Field

// Fields lists the hash entries of struct type t, sorted by key: each
// exported field keyed by its `ikc` tag, else its `msgpack` tag, else its
// name; a tag of "-" skips the field and the option ",omitempty" drops it
// when it holds its zero value. Embedded structs' fields are promoted, as
// Go promotes them. The list is computed once per type; callers must not
// change it.
func Fields(t reflect.Type) []Field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]Field)
	}
	var fs []Field
	for _, sf := range reflect.VisibleFields(t) {
		if sf.Anonymous || !sf.IsExported() {
			continue
		}
		tag, ok := sf.Tag.Lookup("ikc")
		if !ok {
			tag = sf.Tag.Get("msgpack")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		omit := slices.Contains(strings.Split(opts, ","), "omitempty")
		fs = append(fs, Field{name, sf.Index, omit})
	}
	slices.SortStableFunc(fs, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	fieldCache.Store(t, fs)
	return fs
}

// StructEntries lists the hash entries of rv, a struct, sorted by key:
// its Fields, less those left out, an ",omitempty" one holding its zero
// value and one promoted through a nil embedded pointer.
func StructEntries(rv reflect.Value) []Entry {
	fs := Fields(rv.Type())
	entries := make([]Entry, 0, len(fs))
	for _, f := range fs {
		fv, err := rv.FieldByIndexErr(f.Index)
		if err != nil || f.OmitEmpty && fv.IsZero() {
			continue
		}
		entries = append(entries, Entry{f.Name, fv})
	}
	return entries
}
