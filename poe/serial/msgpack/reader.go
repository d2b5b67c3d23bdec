package msgpack

// Reader reads one MessagePack value item by item, for a caller that
// decodes a shape it knows (IKC's message record) straight into its own
// types instead of thawing generic maps first. It counts items and
// nesting against the serializer's limits exactly as Thaw does.
//
// Each method reads the next item only when it is of the kind asked for;
// ok false means it is of another kind, or malformed, or over a limit,
// and the Reader is left where it was. A caller that meets anything it
// does not expect should give up and Thaw the whole input, which returns
// the value or the error with its offset.
type Reader struct {
	d decoder
}

// NewReader returns a Reader of data with s's limits.
func (s *Serializer) NewReader(data []byte) Reader {
	return Reader{d: decoder{data: data, maxDepth: s.maxDepth, maxItems: s.maxItems}}
}

// count counts one item, as Thaw does for every value and map key.
func (r *Reader) count() bool {
	r.d.items++
	return r.d.items <= r.d.maxItems
}

// Nil reads a nil. It looks at the next octet and at the item count
// before it moves, so anything else, or a nil past the item limit, is
// left for the next read.
func (r *Reader) Nil() bool {
	p := r.d.pos
	if p >= len(r.d.data) || r.d.data[p] != 0xc0 || r.d.items >= r.d.maxItems {
		return false
	}
	r.d.items++
	r.d.pos = p + 1
	return true
}

// MapHeader reads the header of a map and returns its number of pairs. It
// enters one level of nesting, which EndMap leaves once the pairs are
// read.
func (r *Reader) MapHeader() (n int, ok bool) {
	p, data := r.d.pos, r.d.data
	if p < len(data) {
		if n = int(data[p]) - 0x80; uint(n) < 16 && 2*n < len(data)-p && r.d.items < r.d.maxItems && r.d.depth < r.d.maxDepth {
			r.d.items++
			r.d.depth++
			r.d.pos = p + 1
			return n, true
		}
	}
	return r.mapHeader()
}

// mapHeader is MapHeader for every encoding and every failure.
func (r *Reader) mapHeader() (n int, ok bool) {
	save := r.d
	at := r.d.pos
	if at >= len(r.d.data) {
		return 0, false
	}
	var u uint64
	var err error
	switch c := r.d.data[at]; {
	case c >= 0x80 && c <= 0x8f:
		u = uint64(c & 0x0f)
		r.d.pos++
	case c == 0xde || c == 0xdf:
		u, err = r.d.uint(at, 2<<(c-0xde))
	default:
		return 0, false
	}
	if err != nil || u > uint64((len(r.d.data)-r.d.pos)/2) || !r.count() || r.d.enter(at) != nil {
		r.d = save
		return 0, false
	}
	return int(u), true
}

// EndMap leaves the nesting level MapHeader entered.
func (r *Reader) EndMap() { r.d.depth-- }

// Str reads a str (or bin, which Thaw also returns as a string) and
// returns its bytes, which alias the input. A fixstr is read inline.
func (r *Reader) Str() (b []byte, ok bool) {
	p, data := r.d.pos, r.d.data
	if p < len(data) {
		if n := int(data[p]) - 0xa0; uint(n) < 32 && n < len(data)-p && r.d.items < r.d.maxItems {
			r.d.items++
			r.d.pos = p + 1 + n
			return data[p+1 : p+1+n], true
		}
	}
	return r.str()
}

// str is Str for every encoding and every failure.
func (r *Reader) str() (b []byte, ok bool) {
	at := r.d.pos
	if at >= len(r.d.data) {
		return nil, false
	}
	save := r.d
	var n uint64
	var err error
	switch c := r.d.data[at]; {
	case c >= 0xa0 && c <= 0xbf:
		n = uint64(c & 0x1f)
		r.d.pos++
	case c >= 0xd9 && c <= 0xdb:
		n, err = r.d.uint(at, 1<<(c-0xd9))
	case c >= 0xc4 && c <= 0xc6:
		n, err = r.d.uint(at, 1<<(c-0xc4))
	default:
		return nil, false
	}
	if err != nil || n > uint64(len(r.d.data)-r.d.pos) || !r.count() {
		r.d = save
		return nil, false
	}
	b = r.d.data[r.d.pos : r.d.pos+int(n)]
	r.d.pos += int(n)
	return b, true
}

// Int reads an integer that Thaw returns as an int64: any integer but a
// uint 64 above MaxInt64, which Thaw returns as its decimal string.
func (r *Reader) Int() (int64, bool) {
	p, data := r.d.pos, r.d.data
	if p < len(data) && data[p] < 0x80 && r.d.items < r.d.maxItems {
		r.d.items++
		r.d.pos = p + 1
		return int64(data[p]), true
	}
	return r.int()
}

// int is Int for every encoding and every failure.
func (r *Reader) int() (int64, bool) {
	at := r.d.pos
	if at >= len(r.d.data) {
		return 0, false
	}
	switch c := r.d.data[at]; {
	case c <= 0x7f, c >= 0xe0, c >= 0xcc && c <= 0xd3:
	default:
		return 0, false
	}
	save := r.d
	v, err := r.d.value()
	n, ok := v.(int64)
	if err != nil || !ok {
		r.d = save
		return 0, false
	}
	return n, true
}

// Value reads any value, as Thaw would return it.
func (r *Reader) Value() (any, error) {
	save := r.d
	v, err := r.d.value()
	if err != nil {
		r.d = save
	}
	return v, err
}

// Done reports whether every byte of the input has been read: a value
// followed by anything more is not one Thaw accepts.
func (r *Reader) Done() bool { return r.d.pos == len(r.d.data) }
