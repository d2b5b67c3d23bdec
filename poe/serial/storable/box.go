package storable

import (
	"unsafe"

	"github.com/poe-go/poe/poe/internal/box"
)

// Boxing a string or an int64 into an interface costs one allocation per
// value. Thaw instead keeps the values in slabs and makes the interface
// point into them (box.Slabs), so an IKC record's dozen strings cost no
// allocation of their own. What is Storable's own is where the first
// slabs live.

// Below textBlockMax bytes, the copy of the image and the first slab of
// string headers share one allocation of plain bytes, headers first:
//
//	[ h string headers | the image from the first text on ]
//
// The garbage collector does not look inside plain bytes, and need not:
// every header in the block points into the same block, and whoever holds
// a thawed string or its interface holds a pointer into the block, which
// keeps all of it alive. Only boxText writes there (through
// box.Slabs.BoxString), and only substrings of d.str. Larger images are copied as a string of their own (not zeroed
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
	d.slabs.Strs = unsafe.Slice((*string)(unsafe.Pointer(&blk[0])), h)[:0]
}

// boxText boxes the n bytes at offset p of the image, which the caller
// has checked are there, as a string.
func (d *decoder) boxText(p, n int) any {
	if n == 0 {
		return "" // a constant: boxing it is free
	}
	return d.slabs.BoxString(d.sub(p, n))
}

// arraySlab is the first slab of small arrays: their slice headers and
// their elements in one allocation.
type arraySlab struct {
	hdrs  [2][]any
	elems [6]any
}

// firstArrays gives the array slabs, still empty, one arraySlab. The
// caller checks cap(d.slabs.Hdrs) == 0 itself and then calls
// d.slabs.Array, so that a thawed array costs a single call.
func (d *decoder) firstArrays() {
	s := new(arraySlab)
	d.slabs.Hdrs, d.slabs.Elems = s.hdrs[:0], s.elems[:0]
}
