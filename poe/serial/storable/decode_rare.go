package storable

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/poe-go/poe/poe/serial"
)

// The parts of thaw an IKC message does not use: the header, native
// numbers, blessing, vstrings, regexps and the opcodes that are refused.

// header reads "05 0b" (network order) or the native-order header with
// its byte-order string and type sizes.
func (d *decoder) header() error {
	if len(d.data) < 2 {
		return d.fail(0, noOp, ErrHeader, "image shorter than the 2-byte header")
	}
	b0 := d.data[0]
	if b0>>1 != majorVersion {
		return d.fail(0, noOp, ErrHeader, fmt.Sprintf("major version %d, want %d", b0>>1, majorVersion))
	}
	d.pos = 2
	if b0&1 == 1 {
		return nil
	}
	return d.nativeHeader()
}

func (d *decoder) nativeHeader() error {
	d.native = true
	if d.pos >= len(d.data) {
		return d.fail(d.pos, noOp, ErrTruncated, "native header: missing byte-order length")
	}
	n := int(d.data[d.pos])
	d.pos++
	if d.pos+n+4 > len(d.data) {
		return d.fail(d.pos, noOp, ErrTruncated, "native header")
	}
	switch string(d.data[d.pos : d.pos+n]) {
	case "12345678":
		d.little, d.ivSize = true, 8
	case "87654321":
		d.little, d.ivSize = false, 8
	case "1234":
		d.little, d.ivSize = true, 4
	case "4321":
		d.little, d.ivSize = false, 4
	default:
		return d.fail(d.pos, noOp, ErrHeader, fmt.Sprintf("byte order %q", d.data[d.pos:d.pos+n]))
	}
	d.pos += n
	if nv := d.data[d.pos+3]; nv != 8 {
		return d.fail(d.pos+3, noOp, ErrHeader, fmt.Sprintf("NV size %d, want 8", nv))
	}
	d.pos += 4
	return nil
}

// u64 reads 8 bytes at p in the image's byte order; the caller has
// checked that they are there.
func (d *decoder) u64(p int) uint64 {
	b := d.data[p : p+8]
	if d.little {
		return binary.LittleEndian.Uint64(b)
	}
	return binary.BigEndian.Uint64(b)
}

// rare reads the items item leaves to it, op being the opcode at at.
func (d *decoder) rare(op byte, at int) (any, kind, error) {
	switch op {
	case sxInteger, sxDouble:
		return d.nativeNumber(op, at)
	case sxBless, sxIxBless:
		return d.bless(op, at)
	case sxVString, sxLVString:
		return d.vstring(op, at)
	case sxRegexp:
		return d.regexp(at)
	case sxLObject:
		return d.lobject(at)
	case sxCode:
		return nil, 0, d.fail(at, op, ErrUnsupported, "code references are refused: a thawed value never names code")
	case sxTiedArray, sxTiedHash, sxTiedScalar, sxTiedKey, sxTiedIdx:
		return nil, 0, d.fail(at, op, ErrUnsupported, "tied data")
	case sxHook:
		return nil, 0, d.fail(at, op, ErrUnsupported, "STORABLE_freeze hook objects need their Perl class")
	}
	return nil, 0, d.fail(at, noOp, ErrOpcode, fmt.Sprintf("opcode 0x%02x", op))
}

// bless reads the class of SX_BLESS (a new class) or SX_IX_BLESS (the
// index of one seen before), then the blessed item.
func (d *decoder) bless(op byte, at int) (any, kind, error) {
	n, err := d.byte1(op)
	if err != nil {
		return nil, 0, err
	}
	if n&0x80 != 0 {
		if n != 0x80 {
			return nil, 0, d.fail(at, op, ErrLength, fmt.Sprintf("length byte 0x%02x", n))
		}
		if n, err = d.len4(op); err != nil {
			return nil, 0, err
		}
	}
	var cls string
	if op == sxBless {
		if n > len(d.data)-d.pos {
			return nil, 0, d.claims(at, op, n)
		}
		cls = d.text(n)
		if len(d.classes) >= d.maxItems {
			return nil, 0, d.fail(at, op, ErrTooMany, "classes")
		}
		d.classes = append(d.classes, cls)
	} else {
		if n >= len(d.classes) {
			return nil, 0, d.fail(at, op, ErrObjectTag, fmt.Sprintf("class index %d not seen (%d classes)", n, len(d.classes)))
		}
		cls = d.classes[n]
	}
	return d.blessed(cls)
}

// blessed reads the item a bless applies to. A hash or array is
// registered as the serial.Blessed itself; any other item is read as
// usual and its tag then rewritten to the serial.Blessed wrapping it.
func (d *decoder) blessed(cls string) (any, kind, error) {
	at := d.pos
	if at < len(d.data) {
		switch op := d.data[at]; op {
		case sxArray:
			d.pos++
			return d.array(at, cls, true)
		case sxHash, sxFlagHash:
			d.pos++
			return d.hash(at, op, cls, true)
		case sxObject:
			return nil, 0, d.fail(at, op, ErrUnsupported, "bless of an already seen item")
		case sxBless, sxIxBless:
			return nil, 0, d.fail(at, op, ErrUnsupported, "bless of a bless")
		}
	}
	first := d.tags.n
	v, _, err := d.item()
	if err != nil {
		return nil, 0, err
	}
	if first >= d.tags.n {
		return nil, 0, d.fail(at, d.data[at], ErrUnsupported, "blessed item without a value")
	}
	b := serial.Blessed{Class: cls, Value: v}
	*d.tags.at(first) = tagEntry{b, kindContainer}
	return b, kindContainer, nil
}

// pendingRef returns what SX_OBJECT t stands for when t is a reference
// whose body is still being read. ref registers a reference with no
// value and fills it in once its target is read, so without this a
// reference to itself ($c = \$c) would thaw as a Ref to nil. The target
// is the item tagged t+1 if it is registered yet: a hash or an array
// registers itself before its body, and a reference to a container is
// the container. Otherwise the reference gets its *serial.Ref now, which
// ref completes (closeRef), so the cycle goes through the same pointer.
func (d *decoder) pendingRef(t int, e *tagEntry) (any, kind, error) {
	if t+1 < d.tags.n {
		if n := d.tags.at(t + 1); n.k == kindContainer {
			return n.v, kindRef, nil
		}
	}
	r := &serial.Ref{}
	e.v = r
	return r, kindRef, nil
}

// closeRef completes the reference whose Ref pendingRef made, now that
// its target v of kind k is read.
func (d *decoder) closeRef(e *tagEntry, v any, k kind, at int, op byte) (any, kind, error) {
	r := e.v.(*serial.Ref)
	if k == kindContainer {
		// The target turned out to be a container (a blessed scalar),
		// which the reference should have been itself: the Ref handed
		// out cannot become it.
		return nil, 0, d.fail(at, op, ErrUnsupported, "a reference cycle through a blessed scalar")
	}
	r.Value = v
	return r, kindRef, nil
}

// vstring skips a vstring's magic and reads the scalar it belongs to.
func (d *decoder) vstring(op byte, at int) (any, kind, error) {
	n, err := d.lenOf(at, op, op != sxVString)
	if err != nil {
		return nil, 0, err
	}
	d.pos += n // the magic is not kept: no copy of it
	return d.item()
}

// regexp turns qr// into Perl's stringification "(?^flags:pattern)".
func (d *decoder) regexp(at int) (any, kind, error) {
	const op = sxRegexp
	opf, err := d.byte1(op)
	if err != nil {
		return nil, 0, err
	}
	pat, err := d.lenText(at, op, opf&1 != 0)
	if err != nil {
		return nil, 0, err
	}
	flags, err := d.lenText(at, op, false)
	if err != nil {
		return nil, 0, err
	}
	return d.scalar("(?^"+flags+":"+pat+")", at, op)
}

// lenText reads a length, of four octets when wide and of one otherwise,
// and returns that many octets after it, once it has checked the image
// holds them.
func (d *decoder) lenText(at int, op byte, wide bool) (string, error) {
	n, err := d.lenOf(at, op, wide)
	if err != nil {
		return "", err
	}
	return d.text(n), nil
}

func (d *decoder) lobject(at int) (any, kind, error) {
	const op = sxLObject
	if len(d.data)-d.pos < 9 {
		return nil, 0, d.truncated(op, 9)
	}
	n := d.u64(d.pos + 1)
	if left := len(d.data) - d.pos - 9; n > uint64(left) {
		return nil, 0, d.fail(at, op, ErrLength, fmt.Sprintf("claims %d, only %d bytes left", n, left))
	}
	return nil, 0, d.fail(at, op, ErrUnsupported, "objects over 2 GiB")
}

func (d *decoder) nativeNumber(op byte, at int) (any, kind, error) {
	if !d.native {
		return nil, 0, d.fail(at, op, ErrUnsupported, "native number in a network-order image")
	}
	size := 8
	if op == sxInteger {
		size = d.ivSize
	}
	if len(d.data)-d.pos < size {
		return nil, 0, d.truncated(op, size)
	}
	p := d.pos
	d.pos += size
	if op == sxDouble {
		return d.scalar(math.Float64frombits(d.u64(p)), at, op)
	}
	if size == 4 {
		return d.scalar(int64(int32(d.u32(p))), at, op)
	}
	return d.scalar(int64(d.u64(p)), at, op)
}

func latin1ToUTF8(s string) string {
	b := make([]byte, 0, len(s)*2)
	for i := 0; i < len(s); i++ {
		b = utf8.AppendRune(b, rune(s[i]))
	}
	return string(b)
}

// noOp stands in errors for "no opcode": the header, or an item whose
// opcode byte is missing or unknown.
const noOp = 0xff

// The error constructors below keep formatting out of the hot path.

func (d *decoder) fail(off int, op byte, err error, detail string) error {
	name := ""
	if op != noOp {
		name = opName(op)
	}
	return &Error{Offset: off, Op: name, Detail: detail, Err: err}
}

// truncated reports that fewer than n bytes are left at d.pos.
func (d *decoder) truncated(op byte, n int) error {
	if n == 1 {
		return d.fail(d.pos, op, ErrTruncated, "need 1 byte, have 0")
	}
	return d.fail(d.pos, op, ErrTruncated, fmt.Sprintf("need %d bytes, have %d", n, len(d.data)-d.pos))
}

// negative reports a negative length read at d.pos.
func (d *decoder) negative(op byte, n int32) error {
	return d.fail(d.pos, op, ErrLength, fmt.Sprintf("negative length %d", n))
}

// claims reports that the item at at claims n bytes (or entries) more
// than the rest of the image can hold.
func (d *decoder) claims(at int, op byte, n int) error {
	return d.fail(at, op, ErrLength, fmt.Sprintf("claims %d, only %d bytes left", n, len(d.data)-d.pos))
}

func (d *decoder) tooMany(at int, op byte) error {
	return d.fail(at, op, ErrTooMany, fmt.Sprintf("limit %d", d.maxItems))
}

func (d *decoder) tooDeep(at int, op byte) error {
	return d.fail(at, op, ErrTooDeep, fmt.Sprintf("limit %d", d.maxDepth))
}

func (d *decoder) unseen(at, t int) error {
	return d.fail(at, sxObject, ErrObjectTag, fmt.Sprintf("object #%d not retrieved yet (%d seen)", t, d.tags.n))
}

func (d *decoder) trailing() error {
	return d.fail(d.pos, noOp, ErrTrailing, fmt.Sprintf("%d bytes", len(d.data)-d.pos))
}
