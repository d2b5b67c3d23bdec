package perlval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestKeyText(t *testing.T) {
	type name string
	tests := []struct {
		name string
		key  any
		want string
		ok   bool
	}{
		{"a string", "key", "key", true},
		{"an empty string", "", "", true},
		{"a named string type", name("n"), "n", true},
		{"an int", -7, "-7", true},
		{"the smallest int64", int64(math.MinInt64), "-9223372036854775808", true},
		{"an int8", int8(-128), "-128", true},
		{"a uint", uint(7), "7", true},
		{"the largest uint64", uint64(math.MaxUint64), "18446744073709551615", true},
		{"a uintptr", uintptr(12), "12", true},
		{"a float has no key", 2.5, "", false},
		{"a bool has no key", true, "", false},
		{"a struct has no key", struct{}{}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := KeyText(reflect.ValueOf(tc.key))
			if got != tc.want || ok != tc.ok {
				t.Fatalf("KeyText(%#v) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestSortKVs checks the hash key order against the general sort, for
// sizes on both sides of the insertion sort's limit.
func TestSortKVs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 5, 8, 12, 13, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			kvs := make([]KV, n)
			for i := range kvs {
				kvs[i] = KV{K: strings.Repeat("ab", r.IntN(3)) + string(rune('a'+r.IntN(26))), V: i}
			}
			want := slices.Clone(kvs)
			slices.SortStableFunc(want, func(a, b KV) int { return strings.Compare(a.K, b.K) })
			SortKVs(kvs)
			for i := range kvs {
				if kvs[i].K != want[i].K {
					t.Fatalf("key %d is %q, want %q (all: %v)", i, kvs[i].K, want[i].K, kvs)
				}
			}
		})
	}
}
