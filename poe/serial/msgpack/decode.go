package msgpack

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/poe-go/poe/poe/serial"
)

// decoder parses the MessagePack wire format straight from the input
// slice. It lives on the caller's stack: Thaw allocates only the values it
// returns.
type decoder struct {
	data     []byte
	pos      int
	depth    int
	items    int
	maxDepth int
	maxItems int
}

func (d *decoder) fail(at int, err error, detail string) error {
	return &Error{Offset: at, Detail: detail, Err: err}
}

func (d *decoder) truncated(at int) error {
	return d.fail(at, ErrTruncated, "unexpected EOF")
}

func (d *decoder) thaw() (any, error) {
	if len(d.data) == 0 {
		return nil, d.fail(0, ErrTruncated, "empty input")
	}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if left := len(d.data) - d.pos; left != 0 {
		return nil, d.fail(d.pos, ErrTrailing, fmt.Sprintf("%d bytes", left))
	}
	return v, nil
}

func (d *decoder) enter(at int) error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.fail(at, ErrTooDeep, fmt.Sprintf("limit %d", d.maxDepth))
	}
	return nil
}

// uint reads an n-byte big-endian unsigned integer after the code byte of
// the item at offset at, and moves past both.
func (d *decoder) uint(at, n int) (uint64, error) {
	p := at + 1
	if len(d.data)-p < n {
		return 0, d.truncated(at)
	}
	b := d.data[p : p+n]
	var u uint64
	switch n {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(binary.BigEndian.Uint16(b))
	case 4:
		u = uint64(binary.BigEndian.Uint32(b))
	default:
		u = binary.BigEndian.Uint64(b)
	}
	d.pos = p + n
	return u, nil
}

// value decodes the item at d.pos.
func (d *decoder) value() (any, error) {
	at := d.pos
	d.items++
	if d.items > d.maxItems {
		return nil, d.fail(at, ErrTooMany, fmt.Sprintf("limit %d", d.maxItems))
	}
	if at >= len(d.data) {
		return nil, d.fail(at, ErrTruncated, "EOF")
	}
	c := d.data[at]
	switch {
	case c <= 0x7f: // positive fixint
		d.pos++
		return int64(c), nil
	case c >= 0xe0: // negative fixint
		d.pos++
		return int64(int8(c)), nil
	case c <= 0x8f: // fixmap
		d.pos++
		return d.hash(at, uint64(c&0x0f))
	case c <= 0x9f: // fixarray
		d.pos++
		return d.array(at, uint64(c&0x0f))
	case c <= 0xbf: // fixstr
		d.pos++
		return d.str(at, int(c&0x1f))
	}
	switch c {
	case 0xc0:
		d.pos++
		return nil, nil
	case 0xc2:
		d.pos++
		return false, nil
	case 0xc3:
		d.pos++
		return true, nil
	case 0xd9, 0xda, 0xdb: // str 8, 16, 32
		return d.strLen(at, 1<<(c-0xd9))
	case 0xc4, 0xc5, 0xc6: // bin 8, 16, 32
		return d.strLen(at, 1<<(c-0xc4))
	case 0xc7, 0xc8, 0xc9: // ext 8, 16, 32
		return d.extLen(at, 1<<(c-0xc7))
	case 0xca: // float 32
		u, err := d.uint(at, 4)
		if err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(uint32(u))), nil
	case 0xcb: // float 64
		u, err := d.uint(at, 8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(u), nil
	case 0xcc, 0xcd, 0xce, 0xcf: // uint 8, 16, 32, 64
		u, err := d.uint(at, 1<<(c-0xcc))
		if err != nil {
			return nil, err
		}
		return uintValue(u), nil
	case 0xd0, 0xd1, 0xd2, 0xd3: // int 8, 16, 32, 64
		return d.int(at, 1<<(c-0xd0))
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16
		return d.ext(at, 1<<(c-0xd4), at+1)
	case 0xdc, 0xdd: // array 16, 32
		n, err := d.uint(at, 2<<(c-0xdc))
		if err != nil {
			return nil, err
		}
		return d.array(at, n)
	case 0xde, 0xdf: // map 16, 32
		n, err := d.uint(at, 2<<(c-0xde))
		if err != nil {
			return nil, err
		}
		return d.hash(at, n)
	}
	return nil, d.fail(at, ErrType, fmt.Sprintf("code 0x%02x", c))
}

// int reads a size-octet two's complement integer after the code byte of
// the item at offset at, and moves past both.
func (d *decoder) int(at, size int) (any, error) {
	u, err := d.uint(at, size)
	if err != nil {
		return nil, err
	}
	shift := uint(64 - 8*size)
	return int64(u<<shift) >> shift, nil
}

func uintValue(u uint64) any {
	if u > math.MaxInt64 {
		return strconv.FormatUint(u, 10)
	}
	return int64(u)
}

// strLen reads the size-byte length of a str or bin item and its bytes,
// refusing a length that runs past the input before allocating.
func (d *decoder) strLen(at, size int) (any, error) {
	if len(d.data)-(at+1) < size {
		return nil, d.fail(at, ErrTruncated, "string length")
	}
	n, _ := d.uint(at, size)
	if left := len(d.data) - d.pos; n > uint64(left) {
		return nil, d.fail(at, ErrLength, fmt.Sprintf("string of %d bytes, only %d left", n, left))
	}
	return d.str(at, int(n))
}

// str returns the n bytes at d.pos as a string.
func (d *decoder) str(at, n int) (any, error) {
	if len(d.data)-d.pos < n {
		return nil, d.truncated(at)
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	if n == 0 {
		return "", nil
	}
	return string(b), nil
}

// key decodes a map key, which must be a string. The names of the IKC
// record come back without allocating.
func (d *decoder) key() (string, error) {
	at := d.pos
	if at < len(d.data) {
		if c := d.data[at]; c >= 0xa0 && c <= 0xbf {
			n := int(c & 0x1f)
			if n < len(d.data)-at {
				d.items++
				if d.items > d.maxItems {
					return "", d.fail(at, ErrTooMany, fmt.Sprintf("limit %d", d.maxItems))
				}
				b := d.data[at+1 : at+1+n]
				d.pos = at + 1 + n
				return internKey(b), nil
			}
		}
	}
	k, err := d.value()
	if err != nil {
		return "", err
	}
	key, ok := k.(string)
	if !ok {
		return "", d.fail(at, ErrType, fmt.Sprintf("map key of type %T, want a string", k))
	}
	return key, nil
}

// internKey returns b as a string, sharing the constant for the keys every
// IKC message carries.
func internKey(b []byte) string {
	switch string(b) {
	case "event":
		return "event"
	case "params":
		return "params"
	case "rsvp":
		return "rsvp"
	case "from":
		return "from"
	case "wantarray":
		return "wantarray"
	case "kernel":
		return "kernel"
	case "session":
		return "session"
	case "state":
		return "state"
	case "":
		return ""
	}
	return string(b)
}

func (d *decoder) array(at int, n uint64) (any, error) {
	if left := len(d.data) - d.pos; n > uint64(left) {
		return nil, d.fail(at, ErrLength, fmt.Sprintf("array of %d, only %d bytes left", n, left))
	}
	if err := d.enter(at); err != nil {
		return nil, err
	}
	a := make([]any, n)
	for i := range a {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		a[i] = v
	}
	d.depth--
	return a, nil
}

func (d *decoder) hash(at int, n uint64) (any, error) {
	if left := len(d.data) - d.pos; n > uint64(left/2) {
		return nil, d.fail(at, ErrLength, fmt.Sprintf("map of %d, only %d bytes left", n, left))
	}
	if err := d.enter(at); err != nil {
		return nil, err
	}
	m := make(map[string]any, min(int(n), 64))
	for range n {
		key, err := d.key()
		if err != nil {
			return nil, err
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		m[key] = v
	}
	d.depth--
	return m, nil
}

// extLen reads the size-byte length and the type of an ext 8/16/32 item.
func (d *decoder) extLen(at, size int) (any, error) {
	n, err := d.uint(at, size)
	if err != nil {
		return nil, err
	}
	return d.ext(at, n, d.pos)
}

// ext decodes an extension of n payload bytes whose type byte is at
// offset typ.
func (d *decoder) ext(at int, n uint64, typ int) (any, error) {
	if typ >= len(d.data) {
		return nil, d.truncated(at)
	}
	id := int8(d.data[typ])
	d.pos = typ + 1
	if left := len(d.data) - d.pos; n > uint64(left) {
		return nil, d.fail(at, ErrLength, fmt.Sprintf("extension of %d bytes, only %d left", n, left))
	}
	if err := d.enter(at); err != nil {
		return nil, err
	}
	end := d.pos + int(n)
	v, err := d.extValue(id, at)
	if err != nil {
		return nil, err
	}
	if d.pos != end {
		return nil, d.fail(at, ErrLength, fmt.Sprintf("extension length %d does not match its value", n))
	}
	d.depth--
	return v, nil
}

func (d *decoder) extValue(id int8, at int) (any, error) {
	switch id {
	case ExtRef:
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		return &serial.Ref{Value: v}, nil
	case ExtBlessed:
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		pair, ok := v.([]any)
		if !ok || len(pair) != 2 {
			return nil, d.fail(at, ErrType, "blessed extension is not [class, value]")
		}
		cls, ok := pair[0].(string)
		if !ok {
			return nil, d.fail(at, ErrType, "blessed extension class is not a string")
		}
		return serial.Blessed{Class: cls, Value: pair[1]}, nil
	}
	return nil, d.fail(at, ErrType, fmt.Sprintf("extension type %d", id))
}
