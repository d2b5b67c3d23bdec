package box

import "unsafe"

// Slabs hold the values a decoder hands out as interfaces: strings,
// integers, and small arrays with their slice headers. Each interface
// points at its value in a slab, so that boxing a value costs no
// allocation of its own; a slab is allocated only when the one before is
// full. The zero value is ready for use, and a decoder may give a slab
// that is still empty (of no capacity) memory it allocates anyway; only
// the methods below write into the slabs. A boxed value must never change
// while its interface is in use. Slabs serve one decoder, not several
// goroutines at once.
type Slabs struct {
	Strs  []string // behind string interfaces
	Ints  []int64  // behind int64 interfaces
	Elems []any    // the elements of small arrays
	Hdrs  [][]any  // behind []any interfaces
}

// slabNext grows slab sizes geometrically, bounded so that a short image
// never allocates much.
func slabNext(prev int) int { return min(max(prev*2, 8), 1024) }

// BoxString returns v in an interface that points into s.Strs. An empty
// string is better boxed by the caller: any("") costs nothing.
func (s *Slabs) BoxString(v string) any {
	if len(s.Strs) == cap(s.Strs) {
		s.Strs = make([]string, 0, slabNext(cap(s.Strs)))
	}
	s.Strs = append(s.Strs, v)
	return Make(StringType, unsafe.Pointer(&s.Strs[len(s.Strs)-1]))
}

// BoxInt returns i in an interface: one that points into s.Ints, or for
// 0 to 255 the runtime's own, which costs no allocation either.
func (s *Slabs) BoxInt(i int64) any {
	if i >= 0 && i < 256 {
		return i // the runtime boxes small integers without allocating
	}
	if len(s.Ints) == cap(s.Ints) {
		s.Ints = make([]int64, 0, slabNext(cap(s.Ints)))
	}
	s.Ints = append(s.Ints, i)
	return Make(Int64Type, unsafe.Pointer(&s.Ints[len(s.Ints)-1]))
}

// smallArray is the most elements an array may have to share s.Elems.
const smallArray = 64

// Array returns a new n-element array, non-nil even when empty, and the
// interface holding it, whose header lives in s.Hdrs. The elements of an
// array of up to 64 live in s.Elems; the array's capacity is its length,
// so that an append by its holder moves it rather than running into a
// neighbour.
func (s *Slabs) Array(n int) ([]any, any) {
	var a []any
	switch {
	case n == 0:
		a = []any{} // zero-size, so free
	case n <= smallArray:
		if cap(s.Elems)-len(s.Elems) < n {
			s.Elems = make([]any, 0, slabNext(max(cap(s.Elems), n)))
		}
		l := len(s.Elems)
		s.Elems = s.Elems[:l+n]
		a = s.Elems[l : l+n : l+n]
	default:
		a = make([]any, n)
	}
	if len(s.Hdrs) == cap(s.Hdrs) {
		s.Hdrs = make([][]any, 0, slabNext(cap(s.Hdrs)))
	}
	s.Hdrs = append(s.Hdrs, a)
	return a, Make(SliceType, unsafe.Pointer(&s.Hdrs[len(s.Hdrs)-1]))
}
