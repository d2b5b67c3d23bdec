package storable

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/poe-go/poe/poe/internal/box"
	"github.com/poe-go/poe/poe/serial"
)

// decoder reads one image, forward only. Opcodes travel as bytes; the
// error constructors turn them into names, so the hot path carries no
// strings.
type decoder struct {
	data     []byte
	pos      int
	little   bool // lengths and native numbers are little-endian
	native   bool // native-order image (SX_INTEGER and SX_DOUBLE allowed)
	borrow   bool
	ivSize   int
	depth    int
	maxDepth int
	maxItems int
	tags     tagTable
	classes  []string
	// str holds the image from offset base on, copied at the first
	// non-empty text so that every thawed string and hash key is a
	// substring of one allocation. base is math.MaxInt until then; the
	// bytes before the first text (header, container heads) are never
	// copied, so a lone large string costs exactly its own size.
	str   string
	base  int
	slabs box.Slabs // behind thawed strings, integers and arrays (see copyText)
}

// thaw reads the image in data.
func (d *decoder) thaw(data []byte) (any, error) {
	d.data = data
	d.base = math.MaxInt
	if err := d.header(); err != nil {
		return nil, err
	}
	if d.borrow {
		d.str, d.base = unsafe.String(unsafe.SliceData(data), len(data)), 0
	}
	v, _, err := d.item()
	if err == nil && d.pos != len(d.data) {
		err = d.trailing()
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// u32 reads 4 bytes at p in the image's byte order; the caller has
// checked that they are there.
func (d *decoder) u32(p int) uint32 {
	b := d.data[p : p+4]
	if d.little {
		return binary.LittleEndian.Uint32(b)
	}
	return binary.BigEndian.Uint32(b)
}

// len4 reads a 4-byte length in the image's byte order; Storable writes
// them as signed ints, so a negative one is refused.
func (d *decoder) len4(op byte) (int, error) {
	p := d.pos
	if len(d.data)-p < 4 {
		return 0, d.truncated(op, 4)
	}
	n := int32(d.u32(p))
	if n < 0 {
		return 0, d.negative(op, n)
	}
	d.pos = p + 4
	return int(n), nil
}

// byte1 reads one byte as an int.
func (d *decoder) byte1(op byte) (int, error) {
	p := d.pos
	if p >= len(d.data) {
		return 0, d.truncated(op, 1)
	}
	d.pos = p + 1
	return int(d.data[p]), nil
}

// text returns the next n bytes, which the caller has checked are there,
// as a string that does not alias the image (unless Options.Borrow).
func (d *decoder) text(n int) string {
	p := d.pos
	d.pos = p + n
	if n == 0 {
		return ""
	}
	return d.sub(p, n)
}

// sub returns the n bytes at offset p of the image, n > 0, as a substring
// of d.str, copying the image into it first if it was not yet.
func (d *decoder) sub(p, n int) string {
	if p < d.base {
		d.copyText(p)
	}
	return d.str[p-d.base : p-d.base+n]
}

// tag registers the next item (Storable's SEEN) and counts it against
// MaxItems.
func (d *decoder) tag(v any, k kind, at int, op byte) error {
	if d.tags.n >= d.maxItems {
		return d.tooMany(at, op)
	}
	d.tags.add(tagEntry{v, k})
	return nil
}

func (d *decoder) scalar(v any, at int, op byte) (any, kind, error) {
	if err := d.tag(v, kindScalar, at, op); err != nil {
		return nil, 0, err
	}
	return v, kindScalar, nil
}

func (d *decoder) enter(at int, op byte) error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.tooDeep(at, op)
	}
	return nil
}

// item reads one item and returns the Go value of the Perl scalar at this
// position, and its kind. The scalars an IKC message is made of are read
// here, everything else in composite.
func (d *decoder) item() (any, kind, error) {
	at := d.pos
	data := d.data
	if at >= len(data) {
		return nil, 0, d.truncated(noOp, 1)
	}
	op := data[at]
	var v any
	switch op {
	case sxScalar, sxUTF8Str:
		if at+1 >= len(data) {
			d.pos = at + 1
			return nil, 0, d.truncated(op, 1)
		}
		n, p := int(data[at+1]), at+2
		if n > len(data)-p {
			d.pos = p
			return nil, 0, d.claims(at, op, n)
		}
		d.pos = p + n
		v = d.boxText(p, n)
	case sxByte:
		if at+1 >= len(data) {
			d.pos = at + 1
			return nil, 0, d.truncated(op, 1)
		}
		d.pos = at + 2
		v = d.slabs.BoxInt(int64(data[at+1]) - 128)
	case sxUndef, sxSvUndef, sxSvUndefElem:
		d.pos = at + 1
	case sxSvYes, sxBooleanTrue:
		d.pos = at + 1
		v = true
	case sxSvNo, sxBooleanFalse:
		d.pos = at + 1
		v = false
	case sxNetint:
		d.pos = at + 1
		if len(data)-d.pos < 4 {
			return nil, 0, d.truncated(op, 4)
		}
		d.pos = at + 5
		v = d.slabs.BoxInt(int64(int32(binary.BigEndian.Uint32(data[at+1:]))))
	default:
		d.pos = at + 1
		return d.composite(op, at)
	}
	if d.tags.n >= d.maxItems {
		return nil, 0, d.tooMany(at, op)
	}
	d.tags.add(tagEntry{v: v})
	return v, kindScalar, nil
}

// lenOf reads a length, of four octets when wide and of one otherwise,
// and checks that the image holds that many octets after it.
func (d *decoder) lenOf(at int, op byte, wide bool) (int, error) {
	var n int
	var err error
	if wide {
		n, err = d.len4(op)
	} else {
		n, err = d.byte1(op)
	}
	if err != nil {
		return 0, err
	}
	if n > len(d.data)-d.pos {
		return 0, d.claims(at, op, n)
	}
	return n, nil
}

// composite reads the item at at whose opcode op item has read: a
// container, a reference, a long string, a tag, or a rare item.
func (d *decoder) composite(op byte, at int) (any, kind, error) {
	switch op {
	case sxHash, sxFlagHash:
		return d.hash(at, op, "", false)
	case sxArray:
		return d.array(at, "", false)
	case sxRef, sxOverload, sxWeakRef, sxWeakOverload:
		return d.ref(at, op)
	case sxLScalar, sxLUTF8Str:
		n, err := d.lenOf(at, op, true)
		if err != nil {
			return nil, 0, err
		}
		p := d.pos
		d.pos = p + n
		return d.scalar(d.boxText(p, n), at, op)
	case sxObject:
		return d.object(at)
	}
	return d.rare(op, at)
}

// object reads SX_OBJECT's tag. Storable writes it with htonl in native
// images too (freeze({a => $x, b => $x}) on a little-endian perl has
// 00 00000002), so unlike every other len4 it is always big-endian.
func (d *decoder) object(at int) (any, kind, error) {
	p := d.pos
	if len(d.data)-p < 4 {
		return nil, 0, d.truncated(sxObject, 4)
	}
	t := int(int32(binary.BigEndian.Uint32(d.data[p:])))
	if t < 0 {
		return nil, 0, d.negative(sxObject, int32(t))
	}
	d.pos = p + 4
	if t >= d.tags.n {
		return nil, 0, d.unseen(at, t)
	}
	e := d.tags.at(t)
	if e.v == nil && e.k == kindRef {
		// A reference whose body is still being read: the item refers
		// back to an enclosing reference (a reference to itself, or a
		// cycle through one).
		return d.pendingRef(t, e)
	}
	return e.v, e.k, nil
}

func (d *decoder) ref(at int, op byte) (any, kind, error) {
	t := d.tags.n
	if err := d.tag(nil, kindRef, at, op); err != nil {
		return nil, 0, err
	}
	if err := d.enter(at, op); err != nil {
		return nil, 0, err
	}
	v, k, err := d.item()
	d.depth--
	if err != nil {
		return nil, 0, err
	}
	e := d.tags.at(t)
	if e.v != nil {
		// Its body referred back to it (pendingRef): the reference
		// already has its Ref.
		return d.closeRef(e, v, k, at, op)
	}
	if k != kindContainer {
		v = &serial.Ref{Value: v}
	}
	e.v = v
	return v, kindRef, nil
}

// array reads an array body; with blessing it is registered and returned
// as a serial.Blessed of class cls.
func (d *decoder) array(at int, cls string, blessing bool) (any, kind, error) {
	n, err := d.len4(sxArray)
	if err != nil {
		return nil, 0, err
	}
	if n > len(d.data)-d.pos {
		return nil, 0, d.claims(at, sxArray, n)
	}
	if cap(d.slabs.Hdrs) == 0 {
		d.firstArrays()
	}
	a, v := d.slabs.Array(n) // no allocation of its own (box.Slabs)
	if blessing {
		v = serial.Blessed{Class: cls, Value: v}
	}
	if err := d.tag(v, kindContainer, at, sxArray); err != nil {
		return nil, 0, err
	}
	if err := d.enter(at, sxArray); err != nil {
		return nil, 0, err
	}
	for i := range a {
		if a[i], _, err = d.item(); err != nil {
			return nil, 0, err
		}
	}
	d.depth--
	return v, kindContainer, nil
}

// hash reads an SX_HASH or SX_FLAG_HASH body: each entry is the value,
// then (flag hash) the key flags, then the key. With blessing the hash is
// registered and returned as a serial.Blessed of class cls.
func (d *decoder) hash(at int, op byte, cls string, blessing bool) (any, kind, error) {
	flagged, unit := op == sxFlagHash, 5
	if flagged {
		unit = 6
		if _, err := d.byte1(op); err != nil {
			return nil, 0, err
		}
	}
	n, err := d.len4(op)
	if err != nil {
		return nil, 0, err
	}
	if n > (len(d.data)-d.pos)/unit {
		return nil, 0, d.claims(at, op, n)
	}
	m := make(map[string]any, min(n, 64))
	var v any = m // boxing a map is free
	if blessing {
		v = serial.Blessed{Class: cls, Value: m}
	}
	if err := d.tag(v, kindContainer, at, op); err != nil {
		return nil, 0, err
	}
	if err := d.enter(at, op); err != nil {
		return nil, 0, err
	}
	for range n {
		val, _, err := d.item()
		if err != nil {
			return nil, 0, err
		}
		flags := 0
		if flagged {
			if flags, err = d.byte1(op); err != nil {
				return nil, 0, err
			}
		}
		kat := d.pos
		if len(d.data)-kat < 4 {
			return nil, 0, d.truncated(op, 4)
		}
		kl := int32(d.u32(kat))
		if kl < 0 {
			return nil, 0, d.negative(op, kl)
		}
		p := kat + 4
		d.pos = p
		if int(kl) > len(d.data)-p {
			return nil, 0, d.claims(kat, op, int(kl))
		}
		d.pos = p + int(kl)
		key := ""
		if kl != 0 {
			key = d.sub(p, int(kl))
		}
		if flags != 0 {
			if flags&keyPlaceholder != 0 {
				continue
			}
			if flags&keyWasUTF8 != 0 {
				key = latin1ToUTF8(key)
			}
		}
		m[key] = val
	}
	d.depth--
	return v, kindContainer, nil
}
