package serial

import (
	"reflect"
	"strings"
	"testing"
)

// TestMapLeaves checks that MapLeaves maps every leaf, at any depth, and
// copies the arrays and hashes around them instead of changing them.
func TestMapLeaves(t *testing.T) {
	upper := func(v any) any {
		if s, ok := v.(string); ok {
			return strings.ToUpper(s)
		}
		return v
	}
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"a leaf", "a", "A"},
		{"nil", nil, nil},
		{"an array", []any{"a", int64(1), nil}, []any{"A", int64(1), nil}},
		{"a hash", map[string]any{"k": "v"}, map[string]any{"k": "V"}},
		{"nested", map[string]any{"l": []any{"x", map[string]any{"y": "z"}}},
			map[string]any{"l": []any{"X", map[string]any{"y": "Z"}}}},
		{"an empty array", []any{}, []any{}},
		{"a blessed value is a leaf", Blessed{Class: "c", Value: "v"}, Blessed{Class: "c", Value: "v"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MapLeaves(tc.in, upper)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	t.Run("the input is left as it was", func(t *testing.T) {
		in := map[string]any{"l": []any{"x"}}
		MapLeaves(in, upper)
		if in["l"].([]any)[0] != "x" {
			t.Fatalf("input changed to %v", in)
		}
	})
}
