package filter

import (
	"math"
	"strconv"

	"github.com/poe-go/poe/poe/internal/box"
)

// LengthCodec writes and reads the header of a length-prefixed block, POE's
// LengthCodec => [encoder, decoder] pair.
type LengthCodec interface {
	// EncodeLength appends the header announcing a block of n octets.
	EncodeLength(dst []byte, n int) []byte
	// DecodeLength looks at the start of buf. A complete header announcing
	// n octets returns (n, header size). (-1, 0) asks for more input.
	// (-1, k) with k > 0 says the first k octets cannot start a header and
	// are to be discarded.
	DecodeLength(buf []byte) (n, used int)
}

// DecimalLength is POE's default length codec: "<decimal length>\0". Its
// decoder discards octets that cannot start a header (POE's "strange
// bytes"): a run of non-digits and, unlike POE, which waits forever on
// them, digits followed by anything but a digit or NUL, or more than 64
// digits without a NUL.
type DecimalLength struct{}

// maxHeader bounds a decimal length header; leading zeros are allowed.
const maxHeader = 64

// EncodeLength appends n in decimal and a NUL.
func (DecimalLength) EncodeLength(dst []byte, n int) []byte {
	return append(strconv.AppendInt(dst, int64(n), 10), 0)
}

// DecodeLength reads "<digits>\0" at the start of buf.
func (DecimalLength) DecodeLength(buf []byte) (int, int) {
	n, used, state := parseDecimal(buf)
	switch state {
	case headerOK:
		return n, used
	case headerShort:
		return -1, 0
	}
	return -1, used
}

type headerState uint8

const (
	headerOK    headerState = iota // n octets announced by used header octets
	headerShort                    // need more input
	headerBad                      // the first used octets cannot start a header
)

// parseDecimal reads "<digits>\0"; a value too big for an int saturates.
func parseDecimal(buf []byte) (n, used int, state headerState) {
	i := 0
	for i < len(buf) && buf[i] >= '0' && buf[i] <= '9' {
		if i == maxHeader {
			return 0, i, headerBad
		}
		d := int(buf[i] - '0')
		if n > (math.MaxInt-d)/10 {
			n = math.MaxInt
		} else {
			n = n*10 + d
		}
		i++
	}
	switch {
	case i == 0 && len(buf) == 0:
		return 0, 0, headerShort
	case i == 0:
		j := 1
		for j < len(buf) && (buf[j] < '0' || buf[j] > '9') {
			j++
		}
		return 0, j, headerBad
	case i == len(buf):
		return 0, 0, headerShort
	case buf[i] != 0:
		return 0, i + 1, headerBad
	}
	return n, i + 1, headerOK
}

// BlockOptions configures a Block, with POE::Filter::Block's parameters.
type BlockOptions struct {
	// BlockSize > 0 selects fixed-size blocks (BlockSize); otherwise
	// blocks are length-prefixed.
	BlockSize int
	// LengthCodec replaces DecimalLength (LengthCodec).
	LengthCodec LengthCodec
	// MaxLength is the largest announced block (MaxLength); 0 means
	// DefaultMaxLength.
	MaxLength int
	// MaxBuffer is the largest framing buffer (MaxBuffer); 0 means
	// DefaultMaxBuffer.
	MaxBuffer int
	// Warn, if set, hears about discarded octets, POE's "N strange bytes
	// removed from stream" warning.
	Warn func(msg string)
}

// Validate reports what POE::Filter::Block->new would croak about.
func (o BlockOptions) Validate() error {
	bad := func(msg string) error { return &Error{Filter: "Block", Err: errInvalid, Detail: msg} }
	switch {
	case o.BlockSize < 0:
		return bad("Block doesn't support zero or negative block sizes")
	case o.BlockSize > 0 && o.LengthCodec != nil:
		return bad("Can't use both LengthCodec and BlockSize at the same time")
	case o.BlockSize > 0 && o.MaxLength != 0:
		return bad("Can't use both MaxLength and BlockSize at the same time")
	case o.MaxLength < 0:
		return bad("MaxLength must be greater than 0")
	case o.MaxBuffer < 0:
		return bad("MaxBuffer must be greater than 0")
	}
	if o.BlockSize == 0 {
		ml := orDefault(o.MaxLength, DefaultMaxLength)
		if orDefault(o.MaxBuffer, DefaultMaxBuffer) < ml+len(strconv.Itoa(ml))+1 {
			return bad("MaxBuffer is not large enough for MaxLength blocks")
		}
	}
	return nil
}

// Block is POE::Filter::Block: fixed-size blocks, or blocks prefixed with
// their length ("<decimal length>\0<octets>" by default, the same framing
// as Reference). Records are []byte copies the caller may keep; Put
// accepts string and []byte.
//
// A block announced larger than MaxLength is reported as ErrBlockLength,
// and its header and octets are discarded as they arrive, so the stream
// resynchronises on the next header. Octets that cannot start a header are
// discarded too (see DecimalLength) and reported to Warn. Input that takes
// the buffer past MaxBuffer is kept and ErrBufferLimit reported once.
type Block struct {
	opts     BlockOptions
	codec    LengthCodec
	in       framing
	maxLen   int
	maxBuf   int
	expect   int // announced size of the block being read, or -1
	discard  int // octets of an oversized block still to drop
	overflow int
}

// NewBlock returns POE::Filter::Block->new(...); no options means
// length-prefixed blocks with the default codec and limits. Invalid options
// panic, as POE croaks; check them with BlockOptions.Validate.
func NewBlock(opts ...BlockOptions) *Block {
	var o BlockOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if err := o.Validate(); err != nil {
		panic(err.Error())
	}
	b := &Block{opts: o, codec: o.LengthCodec, maxLen: orDefault(o.MaxLength, DefaultMaxLength),
		maxBuf: orDefault(o.MaxBuffer, DefaultMaxBuffer), expect: -1}
	if b.codec == nil {
		b.codec = DecimalLength{}
	}
	return b
}

// GetOneStart appends input to the framing buffer (get_one_start).
func (b *Block) GetOneStart(data []byte) {
	b.in.add(data)
	if b.in.len() > b.maxBuf && b.overflow == 0 {
		b.overflow = b.in.len()
	}
}

// Get returns every complete block after appending data (get).
func (b *Block) Get(data []byte) ([]any, error) { return getAll(b, data) }

// GetOne returns the next complete block as a []byte (get_one).
func (b *Block) GetOne() (any, bool, error) {
	if b.overflow > 0 {
		n := b.overflow
		b.overflow = 0
		return nil, false, newError("Block", ErrBufferLimit, "%d > %d", n, b.maxBuf)
	}
	if b.opts.BlockSize > 0 {
		return b.take(b.opts.BlockSize)
	}
	for b.discard > 0 {
		n := min(b.discard, b.in.len())
		if n == 0 {
			return nil, false, nil
		}
		b.in.skip(n)
		b.discard -= n
	}
	for b.expect < 0 {
		n, used := b.codec.DecodeLength(b.in.bytes())
		if used == 0 {
			return nil, false, nil
		}
		if n < 0 {
			if b.opts.Warn != nil {
				b.opts.Warn(strconv.Itoa(used) + " strange bytes removed from stream")
			}
			b.in.skip(used)
			continue
		}
		b.in.skip(used)
		if n > b.maxLen {
			b.discard = n
			return nil, false, newError("Block", ErrBlockLength, "%d > %d; block discarded", n, b.maxLen)
		}
		b.expect = n
	}
	rec, ok, err := b.take(b.expect)
	if ok {
		b.expect = -1
	}
	return rec, ok, err
}

func (b *Block) take(n int) (any, bool, error) {
	if b.in.len() < n {
		return nil, false, nil
	}
	rec := box.BytesCopy(b.in.bytes()[:n]) // header and octets in one allocation
	b.in.skip(n)
	return rec, true, nil
}

// Put appends each record, with its length header unless blocks are fixed
// size, to dst (put).
func (b *Block) Put(dst []byte, records ...any) ([]byte, error) {
	for _, r := range records {
		o, ok := octets(r)
		if !ok {
			return dst, notOctets("Block", r)
		}
		if b.opts.BlockSize == 0 {
			dst = b.codec.EncodeLength(dst, len(o))
		}
		dst = append(dst, o...)
	}
	return dst, nil
}

// GetPending returns a copy of the unparsed input, or nil (get_pending).
// A header already decoded is encoded again in front of its partial
// payload, so another Block fed the result reads the same block.
func (b *Block) GetPending() []byte {
	if b.expect < 0 {
		return b.in.pending()
	}
	return append(b.codec.EncodeLength(nil, b.expect), b.in.bytes()...)
}

// Clone returns a Block with the same options and an empty buffer (clone).
func (b *Block) Clone() Filter { return NewBlock(b.opts) }
