package serialtest

import (
	"strconv"
	"testing"

	"github.com/poe-go/poe/poe/serial"
)

func TestModelEqual(t *testing.T) {
	cycleA := map[string]any{"name": "loop"}
	cycleA["self"] = cycleA
	cycleB := map[string]any{"name": "loop"}
	cycleB["self"] = cycleB
	other := map[string]any{"name": "other"}
	other["self"] = other
	arrA := []any{"head", nil}
	arrA[1] = arrA
	arrB := []any{"head", nil}
	arrB[1] = arrB
	refA := &serial.Ref{}
	refA.Value = refA
	refB := &serial.Ref{}
	refB.Value = refB
	shared := map[string]any{"k": "v"}
	copy1, copy2 := map[string]any{"k": "v"}, map[string]any{"k": "v"}
	list := []any{"x", "y"}
	intText := func(v any) any {
		if i, ok := v.(int64); ok {
			return strconv.FormatInt(i, 10)
		}
		return v
	}
	tests := []struct {
		name string
		a, b any
		leaf func(any) any
		want bool
	}{
		{"equal scalars", "x", "x", nil, true},
		{"different scalars", "x", "y", nil, false},
		{"undef", nil, nil, nil, true},
		{"undef and a string", nil, "", nil, false},
		{"a string and an integer", "42", int64(42), nil, false},
		{"the same as text", "42", int64(42), intText, true},
		{"the leaf applied within containers", []any{"7"}, []any{int64(7)}, intText, true},
		{"equal hashes", map[string]any{"a": int64(1)}, map[string]any{"a": int64(1)}, nil, true},
		{"a missing key", map[string]any{"a": nil}, map[string]any{"b": nil}, nil, false},
		{"a nil hash and an empty one", map[string]any(nil), map[string]any{}, nil, false},
		{"a nil array and an empty one", []any(nil), []any{}, nil, false},
		{"arrays of another length", []any{"a"}, []any{"a", "b"}, nil, false},
		{"a hash and an array", map[string]any{}, []any{}, nil, false},
		{"equal objects", serial.Blessed{Class: "C", Value: "v"}, serial.Blessed{Class: "C", Value: "v"}, nil, true},
		{"objects of other classes", serial.Blessed{Class: "C", Value: "v"}, serial.Blessed{Class: "D", Value: "v"}, nil, false},
		{"equal references", &serial.Ref{Value: "v"}, &serial.Ref{Value: "v"}, nil, true},
		{"references to other values", &serial.Ref{Value: "v"}, &serial.Ref{Value: "w"}, nil, false},
		{"a reference and its value", &serial.Ref{Value: "v"}, "v", nil, false},
		{"hash cycles", cycleA, cycleB, nil, true},
		{"hash cycles of other content", cycleA, other, nil, false},
		{"array cycles", arrA, arrB, nil, true},
		{"reference cycles", refA, refB, nil, true},
		{"nil references", (*serial.Ref)(nil), (*serial.Ref)(nil), nil, true},
		{"a nil reference and a reference to undef", (*serial.Ref)(nil), &serial.Ref{}, nil, false},
		{"the same sharing", []any{shared, shared}, []any{copy1, copy1}, nil, true},
		{"shared on one side, copies on the other", []any{shared, shared}, []any{copy1, copy2}, nil, false},
		{"shared in other places", []any{copy1, copy2, copy1}, []any{shared, copy2, copy2}, nil, false},
		{"a shorter slice of one array is another array", []any{list[:1], list}, []any{[]any{"x"}, []any{"x", "y"}}, nil, true},
		{"a cycle and a copy of it", cycleA, map[string]any{"name": "loop", "self": cycleB}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ModelEqual(tc.a, tc.b, tc.leaf); got != tc.want {
				t.Fatalf("ModelEqual = %v, want %v", got, tc.want)
			}
			if got := ModelEqual(tc.b, tc.a, tc.leaf); got != tc.want {
				t.Fatalf("ModelEqual with a and b swapped = %v, want %v", got, tc.want)
			}
		})
	}
}
