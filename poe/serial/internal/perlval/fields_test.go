package perlval

import (
	"reflect"
	"testing"
)

// embedded's field is promoted into tagged.
type embedded struct {
	E string `ikc:"e"`
}

type tagged struct {
	embedded
	Name     string `ikc:"name"`
	Count    int    `msgpack:"count"`
	Both     int    `ikc:"both" msgpack:"ignored"`
	EmptyIKC int    `ikc:"" msgpack:"ignored2"`
	Skip     string `ikc:"-"`
	Dash     string `ikc:"-,"`
	DashKey  string `ikc:"-,omitempty"`
	Omit     string `ikc:"omit,omitempty"`
	OmitLast string `msgpack:"last,string,omitempty"`
	NotOmit  string `ikc:"not,omitemptyish"`
	Plain    []string
	private  int
}

func TestFields(t *testing.T) {
	want := []Field{
		{"-", []int{7}, true},
		{"EmptyIKC", []int{4}, false},
		{"Plain", []int{11}, false},
		{"both", []int{3}, false},
		{"count", []int{2}, false},
		{"e", []int{0, 0}, false},
		{"last", []int{9}, true},
		{"name", []int{1}, false},
		{"not", []int{10}, false},
		{"omit", []int{8}, true},
	}
	typ := reflect.TypeFor[tagged]()
	got := Fields(typ)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Fields =\n%v\nwant\n%v", got, want)
	}
	if again := Fields(typ); &again[0] != &got[0] {
		t.Fatal("a second call computed the fields again")
	}
}

func TestFieldsOmitEmpty(t *testing.T) {
	tests := []struct {
		tag  reflect.StructTag
		want bool
	}{
		{`ikc:"a,omitempty"`, true},
		{`ikc:",omitempty"`, true},
		{`ikc:"a,string,omitempty"`, true},
		{`msgpack:"a,omitempty"`, true},
		{`ikc:"a" msgpack:"a,omitempty"`, false},
		{`ikc:"a,omitemptyish"`, false},
		{`ikc:"a,notomitempty"`, false},
		{`ikc:"omitempty"`, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.tag), func(t *testing.T) {
			typ := reflect.StructOf([]reflect.StructField{{Name: "F", Type: reflect.TypeFor[int](), Tag: tc.tag}})
			fs := Fields(typ)
			if len(fs) != 1 || fs[0].OmitEmpty != tc.want {
				t.Fatalf("Fields = %v, want one field with OmitEmpty %v", fs, tc.want)
			}
		})
	}
}
