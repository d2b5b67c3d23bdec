package storable

import (
	"unsafe"

	"github.com/poe-go/poe/poe/internal/box"
)

// Boxing a string or an int64 into an interface costs one allocation per
// value. Thaw instead keeps the values in slabs and makes the interface
// point into them (package box), so an IKC record's dozen strings cost no
// allocation of their own.

// slabNext grows slab sizes geometrically, bounded so that a short image
// never allocates much.
func slabNext(prev int) int { return min(max(prev*2, 8), 1024) }

// Below textBlockMax bytes, the copy of the image and the first slab of
// string headers share one allocation of plain bytes, headers first:
//
//	[ h string headers | the image from the first text on ]
//
// The garbage collector does not look inside plain bytes, and need not:
// every header in the block points into the same block, and whoever holds
// a thawed string or its interface holds a pointer into the block, which
// keeps all of it alive. Only boxText writes there, and only substrings of
// d.str. Larger images are copied as a string of their own (not zeroed
// first), with the headers in ordinary slabs.
const (
	textBlockMax     = 16 << 10
	textBlockHeaders = 64 // at most, 1 KiB of headers
)

// copyText copies the image from offset p on into d.str, the text every
// thawed string and hash key is a substring of.
func (d *decoder) copyText(p int) {
	rest := d.data[p:]
	d.base = p
	if len(rest) > textBlockMax {
		d.str = string(rest)
		return
	}
	// At least one header for every 32 bytes of text (an IKC record needs
	// one for 26), and as many more as fit in the rest of the size class
	// the allocator rounds the block up to. The block must start zeroed,
	// as append of make leaves it: storing a header runs the write
	// barrier, which reads the old contents of the slot as a pointer.
	want := min(len(rest)/32+1, textBlockHeaders)*box.StringSize + len(rest)
	blk := append([]byte(nil), make([]byte, want)...)
	blk = blk[:cap(blk)]
	h := min((len(blk)-len(rest))/box.StringSize, textBlockHeaders)
	copy(blk[h*box.StringSize:], rest)
	d.str = unsafe.String(&blk[h*box.StringSize], len(rest))
	d.strs = unsafe.Slice((*string)(unsafe.Pointer(&blk[0])), h)[:0]
}

// boxText boxes the n bytes at offset p of the image, which the caller
// has checked are there, as a string.
func (d *decoder) boxText(p, n int) any {
	if n == 0 {
		return "" // a constant: boxing it is free
	}
	s := d.sub(p, n)
	if len(d.strs) == cap(d.strs) {
		d.strs = make([]string, 0, slabNext(cap(d.strs)))
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

// arraySlab is the first slab of small arrays: their slice headers and
// their elements in one allocation.
type arraySlab struct {
	hdrs  [2][]any
	elems [6]any
}

// newArray returns an n-element array whose interface form costs no
// allocation of its own: small arrays share one backing slab and their
// slice headers live in another. The three-index slice keeps an append by
// the caller from running into a neighbour.
func (d *decoder) newArray(n int) ([]any, any) {
	if cap(d.hdrs) == 0 {
		s := new(arraySlab)
		d.hdrs, d.elems = s.hdrs[:0], s.elems[:0]
	}
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
	return a, box.Make(box.SliceType, unsafe.Pointer(&d.hdrs[len(d.hdrs)-1]))
}
