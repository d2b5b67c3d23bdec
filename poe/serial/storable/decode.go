package storable

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/poe-go/poe/poe/serial"
)

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

// decoder reads one image. str holds one copy of the image so that every
// thawed string and hash key is a substring of it: one allocation for all
// text instead of one per string.
type decoder struct {
	data     []byte
	str      string
	pos      int
	native   bool
	order    binary.ByteOrder
	ivSize   int
	tags     []tagEntry
	classes  []string
	depth    int
	maxDepth int
	maxItems int
	cls      string
	blessing bool
	borrow   bool
	strs     []string // slab behind thawed string interfaces
	ints     []int64  // slab behind thawed integer interfaces
	elems    []any    // slab of small arrays' elements
	hdrs     [][]any  // slab behind thawed array interfaces
}

var tagPool = sync.Pool{New: func() any { s := make([]tagEntry, 0, 64); return &s }}

func (d *decoder) thaw(data []byte) (any, error) {
	d.data = data
	if err := d.header(); err != nil {
		return nil, err
	}
	if d.borrow {
		d.str = unsafe.String(unsafe.SliceData(data), len(data))
	} else {
		d.str = string(data)
	}
	tp := tagPool.Get().(*[]tagEntry)
	d.tags = (*tp)[:0]
	v, _, err := d.item()
	if err == nil && d.pos != len(d.data) {
		err = d.fail(d.pos, "", ErrTrailing, fmt.Sprintf("%d bytes", len(d.data)-d.pos))
	}
	clear(d.tags)
	*tp = d.tags[:0]
	tagPool.Put(tp)
	d.tags = nil
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (d *decoder) fail(off int, op string, err error, detail string) error {
	return &Error{Offset: off, Op: op, Detail: detail, Err: err}
}

// header reads "05 0b" (network order) or the native-order header with
// its byte-order string and type sizes.
func (d *decoder) header() error {
	if len(d.data) < 2 {
		return d.fail(0, "", ErrHeader, "image shorter than the 2-byte header")
	}
	b0 := d.data[0]
	if b0>>1 != majorVersion {
		return d.fail(0, "", ErrHeader, fmt.Sprintf("major version %d, want %d", b0>>1, majorVersion))
	}
	d.order = binary.BigEndian
	d.pos = 2
	if b0&1 == 1 {
		return nil
	}
	return d.nativeHeader()
}

func (d *decoder) nativeHeader() error {
	d.native = true
	if d.pos >= len(d.data) {
		return d.fail(d.pos, "", ErrTruncated, "native header: missing byte-order length")
	}
	n := int(d.data[d.pos])
	d.pos++
	if d.pos+n+4 > len(d.data) {
		return d.fail(d.pos, "", ErrTruncated, "native header")
	}
	switch string(d.data[d.pos : d.pos+n]) {
	case "12345678":
		d.order, d.ivSize = binary.LittleEndian, 8
	case "87654321":
		d.order, d.ivSize = binary.BigEndian, 8
	case "1234":
		d.order, d.ivSize = binary.LittleEndian, 4
	case "4321":
		d.order, d.ivSize = binary.BigEndian, 4
	default:
		return d.fail(d.pos, "", ErrHeader, fmt.Sprintf("byte order %q", d.data[d.pos:d.pos+n]))
	}
	d.pos += n
	if nv := d.data[d.pos+3]; nv != 8 {
		return d.fail(d.pos+3, "", ErrHeader, fmt.Sprintf("NV size %d, want 8", nv))
	}
	d.pos += 4
	return nil
}

func (d *decoder) need(n int, op string) error {
	if len(d.data)-d.pos < n {
		return d.fail(d.pos, op, ErrTruncated, fmt.Sprintf("need %d bytes, have %d", n, len(d.data)-d.pos))
	}
	return nil
}

func (d *decoder) byte1(op string) (int, error) {
	if d.pos >= len(d.data) {
		return 0, d.fail(d.pos, op, ErrTruncated, "need 1 byte, have 0")
	}
	b := d.data[d.pos]
	d.pos++
	return int(b), nil
}

// len4 reads a 4-byte length in the image's byte order; Storable writes
// them as signed ints, so a negative one is refused.
func (d *decoder) len4(op string) (int, error) {
	if err := d.need(4, op); err != nil {
		return 0, err
	}
	n := int32(d.order.Uint32(d.data[d.pos:]))
	if n < 0 {
		return 0, d.fail(d.pos, op, ErrLength, fmt.Sprintf("negative length %d", n))
	}
	d.pos += 4
	return int(n), nil
}

// span checks that n bytes (or n entries of at least unit bytes) remain
// before anything is allocated for them.
func (d *decoder) span(n, unit, at int, op string) error {
	if left := len(d.data) - d.pos; n > left/unit {
		return d.fail(at, op, ErrLength, fmt.Sprintf("claims %d, only %d bytes left", n, left))
	}
	return nil
}

func (d *decoder) text(n, at int, op string) (string, error) {
	if err := d.span(n, 1, at, op); err != nil {
		return "", err
	}
	s := d.str[d.pos : d.pos+n]
	d.pos += n
	return s, nil
}

// tag registers the next item (Storable's SEEN) and counts it against
// MaxItems.
func (d *decoder) tag(v any, k kind, at int, op string) (int, error) {
	if len(d.tags) >= d.maxItems {
		return 0, d.fail(at, op, ErrTooMany, fmt.Sprintf("limit %d", d.maxItems))
	}
	d.tags = append(d.tags, tagEntry{v, k})
	return len(d.tags) - 1, nil
}

func (d *decoder) scalar(v any, at int, op string) (any, kind, error) {
	if _, err := d.tag(v, kindScalar, at, op); err != nil {
		return nil, 0, err
	}
	return v, kindScalar, nil
}

// item reads one item and returns the Go value of the Perl scalar at this
// position, and its kind. A pending bless (SX_BLESS before it) wraps it.
func (d *decoder) item() (any, kind, error) {
	at := d.pos
	cls, blessing := d.cls, d.blessing
	d.blessing = false
	first := len(d.tags)
	op, err := d.byte1("")
	if err != nil {
		return nil, 0, err
	}
	v, k, err := d.dispatch(byte(op), at, cls, blessing)
	if err != nil || !blessing || k == kindContainer {
		return v, k, err
	}
	if first >= len(d.tags) {
		return nil, 0, d.fail(at, opName(byte(op)), ErrUnsupported, "blessed item without a value")
	}
	b := serial.Blessed{Class: cls, Value: v}
	d.tags[first] = tagEntry{b, kindContainer}
	return b, kindContainer, nil
}

func (d *decoder) dispatch(op byte, at int, cls string, blessing bool) (any, kind, error) {
	name := opName(op)
	switch op {
	case sxObject:
		if blessing {
			return nil, 0, d.fail(at, name, ErrUnsupported, "bless of an already seen item")
		}
		return d.object(at)
	case sxScalar, sxUTF8Str:
		n, err := d.byte1(name)
		if err != nil {
			return nil, 0, err
		}
		return d.str1(n, at, name)
	case sxLScalar, sxLUTF8Str:
		n, err := d.len4(name)
		if err != nil {
			return nil, 0, err
		}
		return d.str1(n, at, name)
	case sxArray:
		return d.array(at, cls, blessing)
	case sxHash:
		return d.hash(at, false, cls, blessing)
	case sxFlagHash:
		return d.hash(at, true, cls, blessing)
	case sxRef, sxOverload, sxWeakRef, sxWeakOverload:
		return d.ref(at, name)
	case sxUndef, sxSvUndef, sxSvUndefElem:
		return d.scalar(nil, at, name)
	case sxSvYes, sxBooleanTrue:
		return d.scalar(true, at, name)
	case sxSvNo, sxBooleanFalse:
		return d.scalar(false, at, name)
	case sxByte:
		b, err := d.byte1(name)
		if err != nil {
			return nil, 0, err
		}
		return d.scalar(d.boxInt(int64(b)-128), at, name)
	case sxNetint:
		if err := d.need(4, name); err != nil {
			return nil, 0, err
		}
		i := int32(binary.BigEndian.Uint32(d.data[d.pos:]))
		d.pos += 4
		return d.scalar(d.boxInt(int64(i)), at, name)
	case sxInteger, sxDouble:
		return d.nativeNumber(op, at, name)
	case sxBless, sxIxBless:
		if blessing {
			return nil, 0, d.fail(at, name, ErrUnsupported, "bless of a bless")
		}
		return d.bless(op, at, name)
	case sxVString, sxLVString:
		return d.vstring(op, at, name)
	case sxRegexp:
		return d.regexp(at, name)
	case sxLObject:
		return d.lobject(at, name)
	case sxCode:
		return nil, 0, d.fail(at, name, ErrUnsupported, "code references are refused: a thawed value never names code")
	case sxTiedArray, sxTiedHash, sxTiedScalar, sxTiedKey, sxTiedIdx:
		return nil, 0, d.fail(at, name, ErrUnsupported, "tied data")
	case sxHook:
		return nil, 0, d.fail(at, name, ErrUnsupported, "STORABLE_freeze hook objects need their Perl class")
	}
	return nil, 0, d.fail(at, "", ErrOpcode, fmt.Sprintf("opcode 0x%02x", op))
}

func (d *decoder) str1(n, at int, op string) (any, kind, error) {
	s, err := d.text(n, at, op)
	if err != nil {
		return nil, 0, err
	}
	return d.scalar(d.boxString(s), at, op)
}

func (d *decoder) object(at int) (any, kind, error) {
	t, err := d.len4("SX_OBJECT")
	if err != nil {
		return nil, 0, err
	}
	if t >= len(d.tags) {
		return nil, 0, d.fail(at, "SX_OBJECT", ErrObjectTag, fmt.Sprintf("object #%d not retrieved yet (%d seen)", t, len(d.tags)))
	}
	e := d.tags[t]
	return e.v, e.k, nil
}

func (d *decoder) enter(at int, op string) error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.fail(at, op, ErrTooDeep, fmt.Sprintf("limit %d", d.maxDepth))
	}
	return nil
}

func (d *decoder) ref(at int, op string) (any, kind, error) {
	t, err := d.tag(nil, kindRef, at, op)
	if err != nil {
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
	if k != kindContainer {
		v = &serial.Ref{Value: v}
	}
	d.tags[t].v = v
	return v, kindRef, nil
}

// container returns what a hash or array is registered as: itself, or a
// serial.Blessed when SX_BLESS came before it.
func container(c any, cls string, blessing bool) any { // c is a map: boxing it is free
	if blessing {
		return serial.Blessed{Class: cls, Value: c}
	}
	return c
}

func (d *decoder) array(at int, cls string, blessing bool) (any, kind, error) {
	const op = "SX_ARRAY"
	n, err := d.len4(op)
	if err != nil {
		return nil, 0, err
	}
	if err := d.span(n, 1, at, op); err != nil {
		return nil, 0, err
	}
	a, boxed := d.newArray(n)
	v := boxed
	if blessing {
		v = serial.Blessed{Class: cls, Value: boxed}
	}
	if _, err := d.tag(v, kindContainer, at, op); err != nil {
		return nil, 0, err
	}
	if err := d.enter(at, op); err != nil {
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

func (d *decoder) hash(at int, flagged bool, cls string, blessing bool) (any, kind, error) {
	op, unit := "SX_HASH", 5
	if flagged {
		op, unit = "SX_FLAG_HASH", 6
		if _, err := d.byte1(op); err != nil {
			return nil, 0, err
		}
	}
	n, err := d.len4(op)
	if err != nil {
		return nil, 0, err
	}
	if err := d.span(n, unit, at, op); err != nil {
		return nil, 0, err
	}
	m := make(map[string]any, min(n, 64))
	v := container(m, cls, blessing)
	if _, err := d.tag(v, kindContainer, at, op); err != nil {
		return nil, 0, err
	}
	if err := d.enter(at, op); err != nil {
		return nil, 0, err
	}
	for range n {
		if err := d.entry(m, flagged, op); err != nil {
			return nil, 0, err
		}
	}
	d.depth--
	return v, kindContainer, nil
}

// entry reads one hash entry: the value first, then (for a flag hash) the
// key flags, then the key.
func (d *decoder) entry(m map[string]any, flagged bool, op string) error {
	v, _, err := d.item()
	if err != nil {
		return err
	}
	flags := 0
	if flagged {
		if flags, err = d.byte1(op); err != nil {
			return err
		}
	}
	at := d.pos
	kl, err := d.len4(op)
	if err != nil {
		return err
	}
	key, err := d.text(kl, at, op)
	if err != nil {
		return err
	}
	if flags&keyPlaceholder != 0 {
		return nil
	}
	if flags&keyWasUTF8 != 0 {
		key = latin1ToUTF8(key)
	}
	m[key] = v
	return nil
}

func latin1ToUTF8(s string) string {
	b := make([]byte, 0, len(s)*2)
	for i := 0; i < len(s); i++ {
		b = utf8.AppendRune(b, rune(s[i]))
	}
	return string(b)
}

func (d *decoder) bless(op byte, at int, name string) (any, kind, error) {
	n, err := d.byte1(name)
	if err != nil {
		return nil, 0, err
	}
	if n&0x80 != 0 {
		if n != 0x80 {
			return nil, 0, d.fail(at, name, ErrLength, fmt.Sprintf("length byte 0x%02x", n))
		}
		if n, err = d.len4(name); err != nil {
			return nil, 0, err
		}
	}
	var cls string
	if op == sxBless {
		if cls, err = d.text(n, at, name); err != nil {
			return nil, 0, err
		}
		if len(d.classes) >= d.maxItems {
			return nil, 0, d.fail(at, name, ErrTooMany, "classes")
		}
		d.classes = append(d.classes, cls)
	} else {
		if n >= len(d.classes) {
			return nil, 0, d.fail(at, name, ErrObjectTag, fmt.Sprintf("class index %d not seen (%d classes)", n, len(d.classes)))
		}
		cls = d.classes[n]
	}
	d.cls, d.blessing = cls, true
	return d.item()
}

func (d *decoder) vstring(op byte, at int, name string) (any, kind, error) {
	var n int
	var err error
	if op == sxVString {
		n, err = d.byte1(name)
	} else {
		n, err = d.len4(name)
	}
	if err != nil {
		return nil, 0, err
	}
	if _, err := d.text(n, at, name); err != nil {
		return nil, 0, err
	}
	return d.item()
}

// regexp turns qr// into Perl's stringification "(?^flags:pattern)".
func (d *decoder) regexp(at int, name string) (any, kind, error) {
	opf, err := d.byte1(name)
	if err != nil {
		return nil, 0, err
	}
	var n int
	if opf&1 != 0 {
		n, err = d.len4(name)
	} else {
		n, err = d.byte1(name)
	}
	if err != nil {
		return nil, 0, err
	}
	pat, err := d.text(n, at, name)
	if err != nil {
		return nil, 0, err
	}
	if n, err = d.byte1(name); err != nil {
		return nil, 0, err
	}
	flags, err := d.text(n, at, name)
	if err != nil {
		return nil, 0, err
	}
	return d.scalar("(?^"+flags+":"+pat+")", at, name)
}

func (d *decoder) lobject(at int, name string) (any, kind, error) {
	if err := d.need(9, name); err != nil {
		return nil, 0, err
	}
	n := d.order.Uint64(d.data[d.pos+1:])
	if n > uint64(len(d.data)-d.pos-9) {
		return nil, 0, d.fail(at, name, ErrLength, fmt.Sprintf("claims %d, only %d bytes left", n, len(d.data)-d.pos-9))
	}
	return nil, 0, d.fail(at, name, ErrUnsupported, "objects over 2 GiB")
}

func (d *decoder) nativeNumber(op byte, at int, name string) (any, kind, error) {
	if !d.native {
		return nil, 0, d.fail(at, name, ErrUnsupported, "native number in a network-order image")
	}
	size := 8
	if op == sxInteger {
		size = d.ivSize
	}
	if err := d.need(size, name); err != nil {
		return nil, 0, err
	}
	b := d.data[d.pos:]
	d.pos += size
	if op == sxDouble {
		return d.scalar(math.Float64frombits(d.order.Uint64(b)), at, name)
	}
	if size == 4 {
		return d.scalar(int64(int32(d.order.Uint32(b))), at, name)
	}
	return d.scalar(int64(d.order.Uint64(b)), at, name)
}
