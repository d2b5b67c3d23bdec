package perlval

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
)

func TestMapEntries(t *testing.T) {
	text := func(k reflect.Value) (string, error) { return strconv.FormatInt(k.Int(), 10), nil }
	got, err := MapEntries(reflect.ValueOf(map[int]string{3: "c", -1: "a", 10: "b"}), text)
	if err != nil {
		t.Fatal(err)
	}
	var keys, vals []string
	for _, en := range got {
		keys = append(keys, en.K)
		vals = append(vals, en.V.String())
	}
	if want := []string{"-1", "10", "3"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("keys %q, want %q (sorted as text)", keys, want)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(vals, want) {
		t.Fatalf("values %q, want %q", vals, want)
	}

	refused := errors.New("no key")
	refuse := func(reflect.Value) (string, error) { return "", refused }
	if _, err := MapEntries(reflect.ValueOf(map[int]int{1: 1}), refuse); err != refused {
		t.Fatalf("a refused key: err = %v, want the key function's", err)
	}
	if got, err := MapEntries(reflect.ValueOf(map[int]int{}), refuse); err != nil || len(got) != 0 {
		t.Fatalf("an empty map: %v, %v", got, err)
	}
}

type inner struct{ In int }

type outer struct {
	*inner
	B    string `ikc:"b,omitempty"`
	A    int
	Skip int `ikc:"-"`
}

func TestStructEntries(t *testing.T) {
	keys := func(v any) []string {
		var ks []string
		for _, en := range StructEntries(reflect.ValueOf(v)) {
			ks = append(ks, en.K)
		}
		return ks
	}
	if got, want := keys(outer{A: 1}), []string{"A"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("zero omitempty field, nil embedded pointer: keys %q, want %q", got, want)
	}
	if got, want := keys(outer{inner: &inner{}, B: "x"}), []string{"A", "In", "b"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("all set: keys %q, want %q", got, want)
	}
	en := StructEntries(reflect.ValueOf(outer{A: 7}))
	if len(en) != 1 || en[0].V.Int() != 7 {
		t.Fatalf("entries %v, want A's value 7", en)
	}
}
