package filter

import (
	"bytes"
	"compress/zlib"
	"io"
	"strconv"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/storable"
)

// DefaultMaxFrame is the largest Reference frame payload accepted when
// ReferenceOptions.MaxFrame is 0: 64 MiB, the same bound as a Line or Block.
const DefaultMaxFrame = 64 << 20

// ReferenceOptions configures a Reference, with POE::Filter::Reference's
// parameters plus MaxFrame.
type ReferenceOptions struct {
	// Serializer freezes and thaws records (Serializer). When nil,
	// Storable (storable.Default) is used, POE's default.
	Serializer serial.Serializer
	// Compression zlib-compresses each frozen record (Compression).
	Compression bool
	// NoFatals returns errors met while reading as string records, the
	// error text, instead of as errors (NoFatals).
	NoFatals bool
	// MaxBuffer is the largest framing buffer (MaxBuffer); 0 means
	// DefaultMaxBuffer. It also bounds a decompressed payload.
	MaxBuffer int
	// MaxFrame is the largest frame payload announced by a header; 0
	// means DefaultMaxFrame, or MaxBuffer when that is smaller. POE has
	// no such limit.
	MaxFrame int
	// Thaw, when set, thaws each frame payload in place of
	// Serializer.Thaw, so that a caller that knows the shape of its
	// records can decode them into a type of its own (IKC's message). It
	// must accept and refuse what Serializer.Thaw does; its errors are
	// reported as the serializer's. A clone shares it.
	Thaw func(payload []byte) (any, error)
}

// Validate reports options NewReference would refuse: negative limits or
// MaxFrame above MaxBuffer.
func (o ReferenceOptions) Validate() error {
	bad := func(msg string) error { return &Error{Filter: "Reference", Err: errInvalid, Detail: msg} }
	switch {
	case o.MaxBuffer < 0:
		return bad("MaxBuffer must be greater than 0")
	case o.MaxFrame < 0:
		return bad("MaxFrame must be greater than 0")
	case o.MaxFrame > orDefault(o.MaxBuffer, DefaultMaxBuffer):
		// Only an explicit MaxFrame: POE accepts MaxBuffer => 1024 alone,
		// which DefaultMaxFrame would otherwise exceed.
		return bad("MaxBuffer is not large enough for MaxFrame frames")
	}
	return nil
}

// maxFrame is MaxFrame with its default, which MaxBuffer caps.
func (o ReferenceOptions) maxFrame() int {
	return orDefault(o.MaxFrame, min(DefaultMaxFrame, orDefault(o.MaxBuffer, DefaultMaxBuffer)))
}

// Reference is POE::Filter::Reference: each record is frozen by a
// serializer and framed as "<decimal length>\0<payload>", the payload
// optionally zlib-compressed. It is IKC's frame layer.
//
// Reading differs from POE where POE would hang or hoard memory, and says
// so with errors (or, with NoFatals, string records) that keep the stream
// usable:
//   - a prefix that is not digits and NUL is ErrBadFrame naming the bad
//     octets, which are discarded (a run of non-digits, or digits and the
//     octet after them); POE waits forever instead. Leading zeros are valid.
//   - a header announcing more than MaxFrame octets is ErrFrameSize before
//     any of the payload is buffered; the frame is discarded as it arrives.
//   - a payload the serializer cannot thaw is ErrSerializer; that frame is
//     consumed.
//   - input that takes the buffer past MaxBuffer is kept and ErrBufferLimit
//     reported once, as POE's "Framing buffer exceeds the limit".
type Reference struct {
	opts     ReferenceOptions
	ser      serial.Serializer
	thaw     func([]byte) (any, error) // opts.Thaw, or ser.Thaw
	in       framing
	maxBuf   int
	maxFrame int
	discard  int
	overflow int
	scratch  []byte // frozen or decompressed payload, reused
	zw       *zlib.Writer
	zr       io.ReadCloser
	zsrc     bytes.Reader
	zbuf     bytes.Buffer
}

// NewReference returns POE::Filter::Reference->new(...). Invalid options
// panic, as POE's constructor croaks; check them with Validate.
func NewReference(opts ReferenceOptions) *Reference {
	if err := opts.Validate(); err != nil {
		panic(err.Error())
	}
	ser := opts.Serializer
	if ser == nil {
		ser = storable.Default
	}
	thaw := opts.Thaw
	if thaw == nil {
		thaw = ser.Thaw
	}
	return &Reference{opts: opts, ser: ser, thaw: thaw, maxBuf: orDefault(opts.MaxBuffer, DefaultMaxBuffer),
		maxFrame: opts.maxFrame()}
}

// Serializer is the serializer this filter freezes and thaws with.
func (f *Reference) Serializer() serial.Serializer { return f.ser }

// GetOneStart appends input to the framing buffer (get_one_start).
func (f *Reference) GetOneStart(data []byte) {
	f.in.add(data)
	if f.in.len() > f.maxBuf && f.overflow == 0 {
		f.overflow = f.in.len()
	}
}

// Get returns every complete record after appending data (get).
func (f *Reference) Get(data []byte) ([]any, error) { return getAll(f, data) }

// GetOne thaws the next complete frame (get_one).
func (f *Reference) GetOne() (any, bool, error) {
	rec, ok, err := f.getOne()
	if err != nil && f.opts.NoFatals {
		return err.Error(), true, nil
	}
	return rec, ok, err
}

func (f *Reference) getOne() (any, bool, error) {
	if f.overflow > 0 {
		n := f.overflow
		f.overflow = 0
		return nil, false, newError("Reference", ErrBufferLimit, "%d > %d", n, f.maxBuf)
	}
	if f.discard > 0 {
		n := min(f.discard, f.in.len())
		f.in.skip(n)
		f.discard -= n
		if f.discard > 0 {
			return nil, false, nil
		}
	}
	buf := f.in.bytes()
	n, used, state := parseDecimal(buf)
	switch state {
	case headerShort:
		return nil, false, nil
	case headerBad:
		bad := quote(buf[:used])
		f.in.skip(used)
		return nil, false, newError("Reference", ErrBadFrame, "%s discarded; want <decimal length>\\0", bad)
	}
	if n > f.maxFrame {
		f.in.skip(used)
		f.discard = n
		return nil, false, newError("Reference", ErrFrameSize, "%d > %d; frame discarded", n, f.maxFrame)
	}
	if len(buf) < used+n {
		return nil, false, nil
	}
	payload := buf[used : used+n]
	f.in.skip(used + n)
	if f.opts.Compression {
		var err error
		if payload, err = f.inflate(payload); err != nil {
			return nil, false, &Error{Filter: "Reference", Err: ErrSerializer, Detail: "zlib", Cause: err}
		}
	}
	rec, err := f.thaw(payload)
	if err != nil {
		return nil, false, &Error{Filter: "Reference", Err: ErrSerializer, Detail: f.ser.Name() + " thaw", Cause: err}
	}
	return rec, true, nil
}

func (f *Reference) inflate(p []byte) ([]byte, error) {
	f.zsrc.Reset(p)
	var err error
	if f.zr == nil {
		f.zr, err = zlib.NewReader(&f.zsrc)
	} else {
		err = f.zr.(zlib.Resetter).Reset(&f.zsrc, nil)
	}
	if err != nil {
		return nil, err
	}
	f.zbuf.Reset()
	n, err := f.zbuf.ReadFrom(io.LimitReader(f.zr, int64(f.maxBuf)+1))
	if err != nil {
		return nil, err
	}
	if n > int64(f.maxBuf) {
		return nil, newError("Reference", ErrBufferLimit, "decompressed payload > %d", f.maxBuf)
	}
	return f.zbuf.Bytes(), nil
}

// SelfFreezer is a record that freezes itself: Put hands it the filter's
// serializer instead of calling the serializer's Freeze on it. A record
// type with a fast path for some serializer (IKC's message with
// MessagePack) writes its frozen form without building the generic data
// model first; for the others it freezes its data-model value. Either way
// the bytes must be what the serializer's Freeze makes of that value.
type SelfFreezer interface {
	// FreezeWith appends the record frozen by s to dst.
	FreezeWith(s serial.Serializer, dst []byte) ([]byte, error)
}

// Put freezes each record and appends its frame to dst (put). A nil record
// is refused, as POE chokes on a non-reference. A SelfFreezer freezes
// itself.
func (f *Reference) Put(dst []byte, records ...any) ([]byte, error) {
	for _, r := range records {
		if r == nil {
			return dst, newError("Reference", ErrRecordType, "nil; Reference needs a value to freeze")
		}
		var err error
		if sf, ok := r.(SelfFreezer); ok {
			f.scratch, err = sf.FreezeWith(f.ser, f.scratch[:0])
		} else {
			f.scratch, err = f.ser.Freeze(f.scratch[:0], r)
		}
		if err != nil {
			return dst, &Error{Filter: "Reference", Err: ErrSerializer, Detail: f.ser.Name() + " freeze", Cause: err}
		}
		payload := f.scratch
		if f.opts.Compression {
			payload = f.deflate(payload)
		}
		dst = strconv.AppendInt(dst, int64(len(payload)), 10)
		dst = append(dst, 0)
		dst = append(dst, payload...)
	}
	return dst, nil
}

func (f *Reference) deflate(p []byte) []byte {
	f.zbuf.Reset()
	if f.zw == nil {
		f.zw = zlib.NewWriter(&f.zbuf)
	} else {
		f.zw.Reset(&f.zbuf)
	}
	f.zw.Write(p) // writes to a bytes.Buffer cannot fail
	f.zw.Close()
	return f.zbuf.Bytes()
}

// GetPending returns a copy of the unparsed input, or nil (get_pending).
func (f *Reference) GetPending() []byte { return f.in.pending() }

// Clone returns a Reference with the same options and an empty buffer
// (clone).
func (f *Reference) Clone() Filter {
	return NewReference(f.opts) // options a Reference was made with are valid
}
