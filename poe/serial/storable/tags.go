package storable

// kind says what a tagged item is, which decides what a reference to it
// becomes: a reference to a container is the container itself, a reference
// to anything else is a *serial.Ref.
type kind uint8

const (
	kindScalar    kind = iota // plain scalar: string, number, undef, bool
	kindRef                   // a reference SV
	kindContainer             // hash, array or blessed item
)

type tagEntry struct {
	v any
	k kind
}

// tagBufLen is how many tags the table holds in itself: an IKC record
// has about 30 items.
const tagBufLen = 48

// tagTable is Storable's list of the items seen so far (SEEN), which
// SX_OBJECT refers back to by number. The first tagBufLen entries live in
// the table itself, so on Thaw's stack; the rest on the heap.
type tagTable struct {
	n    int
	buf  [tagBufLen]tagEntry
	more []tagEntry
}

func (t *tagTable) add(e tagEntry) {
	if n := t.n; uint(n) < tagBufLen {
		t.buf[n] = e
	} else {
		t.more = append(t.more, e)
	}
	t.n++
}

// at returns entry i, which must exist.
func (t *tagTable) at(i int) *tagEntry {
	if uint(i) < tagBufLen {
		return &t.buf[i]
	}
	return &t.more[i-tagBufLen]
}
