package filter

// framing is the input buffer every octet filter keeps: octets b[r:] are
// not yet consumed. It is compacted in place rather than regrown, so a
// filter fed blocks of similar size stops allocating once warm.
type framing struct {
	b []byte
	r int
}

// add appends data and returns how far the unconsumed octets moved towards
// the front, for filters that remember offsets into b.
func (f *framing) add(data []byte) (moved int) {
	if f.r > 0 && (f.r == len(f.b) || len(data) > cap(f.b)-len(f.b)) {
		moved = f.r
		n := copy(f.b, f.b[f.r:])
		f.b = f.b[:n]
		f.r = 0
	}
	f.b = append(f.b, data...)
	return moved
}

func (f *framing) bytes() []byte { return f.b[f.r:] }

func (f *framing) len() int { return len(f.b) - f.r }

// skip consumes n octets. The space is reclaimed by the next add, which is
// also when remembered offsets move.
func (f *framing) skip(n int) { f.r += n }

func (f *framing) pending() []byte {
	if f.len() == 0 {
		return nil
	}
	return append([]byte(nil), f.bytes()...)
}

func (f *framing) reset() {
	f.b = f.b[:0]
	f.r = 0
}
