package storable

import "unsafe"

// Boxing a string or an int64 into an interface costs one allocation per
// value. Thaw instead keeps the values in slabs and makes the interface
// point into them, so an IKC record's dozen strings cost one or two
// allocations. The interface layout (type word, data word) is the one the
// Go runtime uses for every non-pointer value.

type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

var (
	stringType = typeWord("")
	int64Type  = typeWord(int64(0))
)

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

func box(typ, data unsafe.Pointer) any {
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, data
	return v
}

// slabNext grows slab sizes geometrically, bounded so that a short image
// never allocates much.
func slabNext(prev int) int { return min(max(prev*2, 8), 1024) }

func (d *decoder) boxString(s string) any {
	if len(d.strs) == cap(d.strs) {
		d.strs = make([]string, 0, slabNext(cap(d.strs)))
	}
	d.strs = append(d.strs, s)
	return box(stringType, unsafe.Pointer(&d.strs[len(d.strs)-1]))
}

func (d *decoder) boxInt(i int64) any {
	if i >= 0 && i < 256 {
		return i // the runtime boxes small integers without allocating
	}
	if len(d.ints) == cap(d.ints) {
		d.ints = make([]int64, 0, slabNext(cap(d.ints)))
	}
	d.ints = append(d.ints, i)
	return box(int64Type, unsafe.Pointer(&d.ints[len(d.ints)-1]))
}

var sliceType = typeWord([]any(nil))

// newArray returns an n-element array whose interface form costs no
// allocation of its own: small arrays share one backing slab and their
// slice headers live in another. The three-index slice keeps an append by
// the caller from running into a neighbour.
func (d *decoder) newArray(n int) ([]any, any) {
	var a []any
	if n == 0 {
		a = make([]any, 0) // non-nil: Perl sent an array; zero-size, so free
	} else if n <= 64 {
		if cap(d.elems)-len(d.elems) < n {
			d.elems = make([]any, 0, slabNext(max(cap(d.elems), n)))
		}
		l := len(d.elems)
		d.elems = d.elems[:l+n]
		a = d.elems[l : l+n : l+n]
	} else {
		a = make([]any, n)
	}
	if len(d.hdrs) == cap(d.hdrs) {
		d.hdrs = make([][]any, 0, slabNext(cap(d.hdrs)))
	}
	d.hdrs = append(d.hdrs, a)
	return a, box(sliceType, unsafe.Pointer(&d.hdrs[len(d.hdrs)-1]))
}
