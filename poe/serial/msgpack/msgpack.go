// Package msgpack is the serializer Go IKC peers prefer between
// themselves: MessagePack, thawed into the same Go data model as package
// storable, so a handler sees the same values whichever serializer carried
// them.
//
// Its negotiation name is Name, "POE::Component::IKC::Go::MsgPack": a Perl
// package name that exists in no Perl installation, so an unmodified Perl
// kernel, which requires the module named after FREEZER, refuses it and the
// peers fall back to Storable. A Go client lists it before "Storable".
//
// # Data model
//
//	MessagePack                      Go value from Thaw
//	nil                              nil
//	true, false                      bool
//	any integer                      int64 (a uint64 above MaxInt64 becomes its
//	                                   decimal string, as Storable delivers it)
//	float32, float64                 float64
//	str, bin                         string
//	array                            []any
//	map (string keys)                map[string]any
//	ext 1: array [class, value]      serial.Blessed{Class, Value}
//	ext 2: value                     *serial.Ref{Value}
//
// Freeze writes nil, bool, every int and float width, string, []byte (as
// bin), map[string]any, []any, serial.Blessed and *serial.Ref directly;
// anything else (typed maps and slices, structs with `msgpack` tags, else
// `ikc` tags, else field names) goes through the MessagePack library's
// reflection. Sharing is not preserved: a value that contains itself is
// refused by the depth limit.
//
// # Limits
//
// Thaw checks every array and map count against the bytes left before
// allocating, caps nesting at Options.MaxDepth (default 512) and the number
// of items at Options.MaxItems (default 16M), and reports failures with the
// byte offset.
//
// # Implementation
//
// Thaw is a hand-written parser of the MessagePack wire format working
// straight on the input slice, for speed: it sizes every array and map from
// its header, converts each string with one allocation, and allocates
// nothing but the values it returns, where decoding through the library's
// Decoder value by value cost several times the time and allocations and
// dominated the CPU profile of an IKC post between Go kernels. The
// MessagePack library (github.com/vmihailenco/msgpack/v5) is kept for
// Freeze and, in the tests, as the reference the parser must agree with.
package msgpack

import (
	"errors"
	"fmt"

	"github.com/poe-go/poe/poe/serial"
)

// Name is the negotiation name (the text after FREEZER) of this serializer.
const Name = "POE::Component::IKC::Go::MsgPack"

// Extension type numbers of the Perl shapes JSON-like data lacks.
const (
	ExtBlessed int8 = 1 // payload: array [class string, value]
	ExtRef     int8 = 2 // payload: the referenced value
)

// Default limits of Options.
const (
	DefaultMaxDepth = 512
	DefaultMaxItems = 1 << 24
)

// Problems Thaw and Freeze report, for errors.Is.
var (
	ErrTruncated = errors.New("truncated data")
	ErrLength    = errors.New("length past the end")
	ErrTooDeep   = errors.New("nesting too deep")
	ErrTooMany   = errors.New("too many items")
	ErrType      = errors.New("unsupported type")
	ErrTrailing  = errors.New("trailing bytes after the value")
)

// Error is a thaw failure at a byte offset.
type Error struct {
	Offset int
	Detail string
	Err    error
}

// Error formats the problem as "msgpack: offset N: problem: detail".
func (e *Error) Error() string {
	s := fmt.Sprintf("msgpack: offset %d: %v", e.Offset, e.Err)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the problem, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// Options bound Thaw and Freeze; the zero value means the defaults.
type Options struct {
	MaxDepth int // deepest nesting; 0 means DefaultMaxDepth
	MaxItems int // most items in one value; 0 means DefaultMaxItems
}

// Serializer is the MessagePack serializer for POE::Filter::Reference. It
// is safe for concurrent use.
type Serializer struct {
	maxDepth, maxItems int
}

// New returns a MessagePack serializer with the given limits.
func New(o Options) *Serializer {
	s := &Serializer{maxDepth: o.MaxDepth, maxItems: o.MaxItems}
	if s.maxDepth <= 0 {
		s.maxDepth = DefaultMaxDepth
	}
	if s.maxItems <= 0 {
		s.maxItems = DefaultMaxItems
	}
	return s
}

// Default is the serializer with default limits, registered under Name.
var Default = New(Options{})

func init() { serial.Register(Default) }

// Name returns "POE::Component::IKC::Go::MsgPack".
func (s *Serializer) Name() string { return Name }

// Freeze appends the MessagePack form of v to dst.
func (s *Serializer) Freeze(dst []byte, v any) ([]byte, error) { return s.FreezeAt(dst, v, 0) }

// FreezeAt is Freeze for a value that sits depth levels down in an
// enclosing value the caller writes itself with the Append functions: the
// nesting limit counts those levels too, so the whole is refused exactly
// when Freeze would refuse it.
func (s *Serializer) FreezeAt(dst []byte, v any, depth int) ([]byte, error) {
	if depth < s.maxDepth {
		// The scalars of most params need no encoder.
		switch x := v.(type) {
		case nil:
			return AppendNil(dst), nil
		case string:
			return AppendString(dst, x), nil
		case int64:
			return AppendInt(dst, x), nil
		case int:
			return AppendInt(dst, int64(x)), nil
		}
	}
	return freezeAt(dst, v, depth, s.maxDepth)
}

// freezeAt appends v to dst with a pooled encoder that counts nesting
// from depth under maxDepth: FreezeAt's work, and that of an extension's
// payload inside a typed value (payload).
func freezeAt(dst []byte, v any, depth, maxDepth int) ([]byte, error) {
	e := getEncoder(dst, maxDepth)
	e.depth = depth
	err := e.value(v)
	out := e.w.b
	putEncoder(e)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// MaxDepth is the deepest nesting Freeze and Thaw accept.
func (s *Serializer) MaxDepth() int { return s.maxDepth }

// Thaw decodes exactly one MessagePack value into the serial data model.
func (s *Serializer) Thaw(data []byte) (any, error) {
	d := decoder{data: data, maxDepth: s.maxDepth, maxItems: s.maxItems}
	return d.thaw()
}

// Freeze returns the MessagePack form of v with default limits.
func Freeze(v any) ([]byte, error) { return Default.Freeze(nil, v) }

// Thaw decodes data with default limits.
func Thaw(data []byte) (any, error) { return Default.Thaw(data) }
