package msgpack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"

	"github.com/poe-go/poe/poe/serial"
	mp "github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

type decoder struct {
	data     []byte
	r        bytes.Reader
	dec      *mp.Decoder
	size     int
	depth    int
	items    int
	maxDepth int
	maxItems int
}

var decPool = sync.Pool{New: func() any {
	d := &decoder{}
	d.dec = mp.NewDecoder(&d.r)
	return d
}}

func getDecoder(data []byte, s *Serializer) *decoder {
	d := decPool.Get().(*decoder)
	d.data = data
	d.r.Reset(data)
	d.dec.Reset(&d.r)
	d.size = len(data)
	d.depth, d.items = 0, 0
	d.maxDepth, d.maxItems = s.maxDepth, s.maxItems
	return d
}

func putDecoder(d *decoder) {
	d.data = nil
	d.r.Reset(nil)
	decPool.Put(d)
}

func (d *decoder) off() int { return d.size - d.r.Len() }

func (d *decoder) fail(at int, err error, detail string) error {
	return &Error{Offset: at, Detail: detail, Err: err}
}

// wrap turns a library error into an *Error at the current offset.
func (d *decoder) wrap(at int, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.fail(at, ErrTruncated, err.Error())
	}
	return d.fail(at, ErrType, err.Error())
}

func (d *decoder) thaw() (any, error) {
	if d.size == 0 {
		return nil, d.fail(0, ErrTruncated, "empty input")
	}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if d.r.Len() != 0 {
		return nil, d.fail(d.off(), ErrTrailing, fmt.Sprintf("%d bytes", d.r.Len()))
	}
	return v, nil
}

func (d *decoder) count(at int) error {
	d.items++
	if d.items > d.maxItems {
		return d.fail(at, ErrTooMany, fmt.Sprintf("limit %d", d.maxItems))
	}
	return nil
}

func (d *decoder) enter(at int) error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.fail(at, ErrTooDeep, fmt.Sprintf("limit %d", d.maxDepth))
	}
	return nil
}

func (d *decoder) value() (any, error) {
	at := d.off()
	if err := d.count(at); err != nil {
		return nil, err
	}
	c, err := d.dec.PeekCode()
	if err != nil {
		return nil, d.wrap(at, err)
	}
	var v any
	switch {
	case c == msgpcode.Nil:
		err = d.dec.DecodeNil()
	case c == msgpcode.False || c == msgpcode.True:
		v, err = d.dec.DecodeBool()
	case c == msgpcode.Uint64:
		var u uint64
		if u, err = d.dec.DecodeUint64(); err == nil {
			v = uintValue(u)
		}
	case msgpcode.IsFixedNum(c), c >= msgpcode.Uint8 && c <= msgpcode.Int64:
		v, err = d.dec.DecodeInt64()
	case c == msgpcode.Float || c == msgpcode.Double:
		v, err = d.dec.DecodeFloat64()
	case msgpcode.IsString(c), msgpcode.IsBin(c):
		if err := d.checkStringLen(at, c); err != nil {
			return nil, err
		}
		v, err = d.dec.DecodeString()
	case msgpcode.IsFixedArray(c), c == msgpcode.Array16, c == msgpcode.Array32:
		return d.array(at)
	case msgpcode.IsFixedMap(c), c == msgpcode.Map16, c == msgpcode.Map32:
		return d.hash(at)
	case msgpcode.IsExt(c):
		return d.ext(at)
	default:
		return nil, d.fail(at, ErrType, fmt.Sprintf("code 0x%02x", c))
	}
	if err != nil {
		return nil, d.wrap(at, err)
	}
	return v, nil
}

func uintValue(u uint64) any {
	if u > math.MaxInt64 {
		return strconv.FormatUint(u, 10)
	}
	return int64(u)
}

func (d *decoder) array(at int) (any, error) {
	n, err := d.dec.DecodeArrayLen()
	if err != nil {
		return nil, d.wrap(at, err)
	}
	if n > d.r.Len() {
		return nil, d.fail(at, ErrLength, fmt.Sprintf("array of %d, only %d bytes left", n, d.r.Len()))
	}
	if err := d.enter(at); err != nil {
		return nil, err
	}
	a := make([]any, n)
	for i := range a {
		if a[i], err = d.value(); err != nil {
			return nil, err
		}
	}
	d.depth--
	return a, nil
}

func (d *decoder) hash(at int) (any, error) {
	n, err := d.dec.DecodeMapLen()
	if err != nil {
		return nil, d.wrap(at, err)
	}
	if n > d.r.Len()/2 {
		return nil, d.fail(at, ErrLength, fmt.Sprintf("map of %d, only %d bytes left", n, d.r.Len()))
	}
	if err := d.enter(at); err != nil {
		return nil, err
	}
	m := make(map[string]any, min(n, 64))
	for range n {
		kat := d.off()
		k, err := d.value()
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, d.fail(kat, ErrType, fmt.Sprintf("map key of type %T, want a string", k))
		}
		if m[key], err = d.value(); err != nil {
			return nil, err
		}
	}
	d.depth--
	return m, nil
}

func (d *decoder) ext(at int) (any, error) {
	id, n, err := d.dec.DecodeExtHeader()
	if err != nil {
		return nil, d.wrap(at, err)
	}
	if n > d.r.Len() {
		return nil, d.fail(at, ErrLength, fmt.Sprintf("extension of %d bytes, only %d left", n, d.r.Len()))
	}
	if err := d.enter(at); err != nil {
		return nil, err
	}
	end := d.off() + n
	v, err := d.extValue(id, at)
	if err != nil {
		return nil, err
	}
	if d.off() != end {
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

// checkStringLen reads the length of a str or bin item at offset at and
// refuses it before the library allocates, if it runs past the input.
func (d *decoder) checkStringLen(at int, c byte) error {
	var size int
	switch c {
	case msgpcode.Str8, msgpcode.Bin8:
		size = 1
	case msgpcode.Str16, msgpcode.Bin16:
		size = 2
	case msgpcode.Str32, msgpcode.Bin32:
		size = 4
	default:
		return nil // fixstr: at most 31 bytes
	}
	b := d.data[at+1:]
	if len(b) < size {
		return d.fail(at, ErrTruncated, "string length")
	}
	n := 0
	for _, x := range b[:size] {
		n = n<<8 | int(x)
	}
	if n > len(b)-size {
		return d.fail(at, ErrLength, fmt.Sprintf("string of %d bytes, only %d left", n, len(b)-size))
	}
	return nil
}
