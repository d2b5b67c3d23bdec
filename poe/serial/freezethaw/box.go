package freezethaw

import (
	"unsafe"

	"github.com/poe-go/poe/poe/internal/box"
)

// Boxing a string or an int64 into an interface costs one allocation per
// value. Thaw instead keeps the values in slabs and makes the interface
// point into them (package box), and copies the image's text once, so an
// IKC record's dozen strings cost no allocation of their own.

// slabNext grows slab sizes geometrically, bounded so that a short image
// never allocates much.
func slabNext(prev int) int { return min(max(prev*2, 8), 1024) }

// sub returns the n bytes at offset p of the image as a string that does
// not alias it: a substring of one copy of the image, made from the first
// text on, the first time text is needed.
func (d *decoder) sub(p, n int) string {
	if n == 0 {
		return ""
	}
	if p < d.base {
		d.str, d.base = string(d.data[p:]), p
	}
	return d.str[p-d.base : p-d.base+n]
}

// boxText boxes the n bytes at offset p of the image as a string.
func (d *decoder) boxText(p, n int) any {
	if n == 0 {
		return "" // a constant: boxing it is free
	}
	s := d.sub(p, n)
	if len(d.strs) == cap(d.strs) {
		if cap(d.strs) == 0 {
			d.firstSlabs()
		} else {
			d.strs = make([]string, 0, slabNext(cap(d.strs)))
		}
	}
	d.strs = append(d.strs, s)
	return box.Make(box.StringType, unsafe.Pointer(&d.strs[len(d.strs)-1]))
}

func (d *decoder) boxInt(i int64) any {
	if i >= 0 && i < 256 {
		return i // the runtime boxes small integers without allocating
	}
	if len(d.ints) == cap(d.ints) {
		d.ints = make([]int64, 0, slabNext(cap(d.ints)))
	}
	d.ints = append(d.ints, i)
	return box.Make(box.Int64Type, unsafe.Pointer(&d.ints[len(d.ints)-1]))
}

// firstSlab holds the first slabs in one allocation: enough for an IKC
// record's string values, arrays and their elements, and the keys of
// the hashes being read.
type firstSlab struct {
	strs  [16]string
	keys  [16]string
	hdrs  [4][]any
	elems [8]any
}

// firstSlabs sets up the slabs still empty from one firstSlab.
func (d *decoder) firstSlabs() {
	f := new(firstSlab)
	if cap(d.strs) == 0 {
		d.strs = f.strs[:0]
	}
	if cap(d.keys) == 0 {
		d.keys = f.keys[:0]
	}
	if cap(d.hdrs) == 0 {
		d.hdrs, d.elems = f.hdrs[:0], f.elems[:0]
	}
}

// newArray returns an n-element array and its interface form, which
// costs no allocation of its own: small arrays share a backing slab, and
// the slice headers live in another. The three-index slice keeps an
// append by the caller from running into a neighbour.
func (d *decoder) newArray(n int) ([]any, any) {
	if cap(d.hdrs) == 0 {
		d.firstSlabs()
	}
	var a []any
	switch {
	case n == 0:
		a = []any{} // zero-size, so free; non-nil: Perl sent an array
	case n <= 64:
		if cap(d.elems)-len(d.elems) < n {
			d.elems = make([]any, 0, slabNext(max(cap(d.elems), n)))
		}
		l := len(d.elems)
		d.elems = d.elems[:l+n]
		a = d.elems[l : l+n : l+n]
	default:
		a = make([]any, n)
	}
	if len(d.hdrs) == cap(d.hdrs) {
		d.hdrs = make([][]any, 0, slabNext(cap(d.hdrs)))
	}
	d.hdrs = append(d.hdrs, a)
	return a, box.Make(box.SliceType, unsafe.Pointer(&d.hdrs[len(d.hdrs)-1]))
}
