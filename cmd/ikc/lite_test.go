package main

import (
	"encoding/json"
	"testing"

	"github.com/poe-go/poe/poe/serial"
)

// TestToJSON checks how `ikc call` prints a thawed answer: octets as
// text, a blessed value and a reference as marked objects, at any depth.
func TestToJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"octets", []byte("hi"), `"hi"`},
		{"nested octets", map[string]any{"a": []any{[]byte("x"), int64(1)}}, `{"a":["x",1]}`},
		{"a blessed value", serial.Blessed{Class: "Foo", Value: map[string]any{"b": []byte("y")}},
			`{"__class__":"Foo","value":{"b":"y"}}`},
		{"a reference", []any{&serial.Ref{Value: []byte("z")}}, `[{"__ref__":"z"}]`},
		{"a nil reference", (*serial.Ref)(nil), `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(toJSON(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
