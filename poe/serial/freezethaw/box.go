package freezethaw

// Boxing a string or an int64 into an interface costs one allocation per
// value. Thaw instead keeps the values in slabs and makes the interface
// point into them (box.Slabs), and copies the image's text once, so an
// IKC record's dozen strings cost no allocation of their own. What is
// FreezeThaw's own is where the first slabs live.

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
	if cap(d.slabs.Strs) == 0 {
		d.firstSlabs()
	}
	return d.slabs.BoxString(s)
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
	if cap(d.slabs.Strs) == 0 {
		d.slabs.Strs = f.strs[:0]
	}
	if cap(d.keys) == 0 {
		d.keys = f.keys[:0]
	}
	if cap(d.slabs.Hdrs) == 0 {
		d.slabs.Hdrs, d.slabs.Elems = f.hdrs[:0], f.elems[:0]
	}
}

// newArray returns an n-element array and its interface form
// (box.Slabs.Array), the first small arrays sharing the firstSlab.
func (d *decoder) newArray(n int) ([]any, any) {
	if cap(d.slabs.Hdrs) == 0 {
		d.firstSlabs()
	}
	return d.slabs.Array(n)
}
