package perlval

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// KeyText is the Perl hash key for the Go map key k: a string itself, an
// integer of any width its decimal text. It reports false for a key of
// any other kind, which Perl has no hash key for.
func KeyText(k reflect.Value) (string, bool) {
	switch k.Kind() {
	case reflect.String:
		return k.String(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), true
	}
	return "", false
}

// KV is a hash entry being written: its key and its value.
type KV struct {
	K string
	V any
}

// SortKVs sorts hash entries by key, bytewise, as Perl's sort and
// Storable's canonical order sort byte strings. Hashes are mostly small:
// an insertion sort comparing strings directly spares them the general
// sort's calls through a comparison function.
func SortKVs(kvs []KV) {
	if len(kvs) > 12 {
		slices.SortFunc(kvs, func(a, b KV) int { return strings.Compare(a.K, b.K) })
		return
	}
	for i := 1; i < len(kvs); i++ {
		for j := i; j > 0 && kvs[j].K < kvs[j-1].K; j-- {
			kvs[j], kvs[j-1] = kvs[j-1], kvs[j]
		}
	}
}

// Entry is a hash entry of a typed map or a struct being written: its key
// and its value.
type Entry struct {
	K string
	V reflect.Value
}

// MapEntries lists the entries of rv, a map, sorted by key, key(k) being
// the Perl hash key of the Go map key k or the error that refuses it.
func MapEntries(rv reflect.Value, key func(reflect.Value) (string, error)) ([]Entry, error) {
	entries := make([]Entry, 0, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		k, err := key(it.Key())
		if err != nil {
			return nil, err
		}
		entries = append(entries, Entry{k, it.Value()})
	}
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.K, b.K) })
	return entries, nil
}
