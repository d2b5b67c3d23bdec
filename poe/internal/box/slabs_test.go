package box

import (
	"math"
	"runtime"
	"strconv"
	"testing"
)

// TestSlabsBoxString boxes more strings than one slab holds: every
// interface must keep its value across collections, and the slabs grow.
func TestSlabsBoxString(t *testing.T) {
	var s Slabs
	var boxed []any
	for i := range 3000 {
		boxed = append(boxed, s.BoxString("s"+strconv.Itoa(i)))
		if i%500 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	for i, v := range boxed {
		if want := "s" + strconv.Itoa(i); v != want {
			t.Fatalf("string %d = %#v, want %q", i, v, want)
		}
	}
	if c := cap(s.Strs); c != 1024 {
		t.Errorf("last slab holds %d strings, want the most, 1024", c)
	}
}

func TestSlabsBoxInt(t *testing.T) {
	tests := []struct {
		name   string
		i      int64
		inSlab bool
	}{
		{"zero", 0, false},
		{"the largest the runtime boxes", 255, false},
		{"past it", 256, true},
		{"minus one", -1, true},
		{"the largest", math.MaxInt64, true},
		{"the smallest", math.MinInt64, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Slabs
			v := s.BoxInt(tc.i)
			runtime.GC()
			if got, ok := v.(int64); !ok || got != tc.i {
				t.Fatalf("BoxInt(%d) = %#v", tc.i, v)
			}
			if inSlab := len(s.Ints) == 1; inSlab != tc.inSlab {
				t.Fatalf("in the slab: %v, want %v", inSlab, tc.inSlab)
			}
		})
	}
}

func TestSlabsArray(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		shared bool // its elements live in s.Elems
	}{
		{"empty", 0, false},
		{"one element", 1, true},
		{"the largest small array", smallArray, true},
		{"a large array", smallArray + 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Slabs
			a, v := s.Array(tc.n)
			next, _ := s.Array(1)
			next[0] = "neighbour"
			for i := range a {
				a[i] = i
			}
			runtime.GC()
			got, ok := v.([]any)
			if !ok || got == nil || len(got) != tc.n || cap(got) != tc.n {
				t.Fatalf("Array(%d) boxed %#v (len %d, cap %d)", tc.n, v, len(got), cap(got))
			}
			for i := range got {
				if got[i] != i {
					t.Fatalf("element %d = %#v", i, got[i])
				}
			}
			if tc.n > 0 {
				if shared := &s.Elems[0] == &a[0]; shared != tc.shared {
					t.Fatalf("elements in s.Elems: %v, want %v", shared, tc.shared)
				}
				if grown := append(a, "tail"); &grown[0] == &a[0] {
					t.Fatal("an append grew the array in place")
				}
			}
			if next[0] != "neighbour" {
				t.Fatalf("the next array was overwritten: %#v", next)
			}
		})
	}
}

// TestSlabsNoAllocation checks what the slabs are for: boxing into slabs
// with room costs no allocation, and a full slab (for an array, both the
// elements' and the headers') is replaced by one allocation.
func TestSlabsNoAllocation(t *testing.T) {
	tests := []struct {
		name string
		box  func(s *Slabs)
		full float64 // allocations into empty slabs
	}{
		{"BoxString", func(s *Slabs) { sink = s.BoxString("text") }, 1},
		{"BoxInt", func(s *Slabs) { sink = s.BoxInt(1 << 40) }, 1},
		{"Array", func(s *Slabs) { _, sink = s.Array(3) }, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Slabs
			s.Strs = make([]string, 0, 200)
			s.Ints = make([]int64, 0, 200)
			s.Elems = make([]any, 0, 600)
			s.Hdrs = make([][]any, 0, 200)
			if n := testing.AllocsPerRun(100, func() { tc.box(&s) }); n != 0 {
				t.Errorf("%v allocations into slabs with room", n)
			}
			if n := testing.AllocsPerRun(100, func() { s = Slabs{}; tc.box(&s) }); n != tc.full {
				t.Errorf("%v allocations into empty slabs, want %v", n, tc.full)
			}
		})
	}
}
