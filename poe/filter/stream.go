package filter

import (
	"unsafe"

	"github.com/poe-go/poe/poe/internal/box"
)

// StreamOptions are NewStream's options. POE::Filter::Stream has none:
// Borrow is Go's own, for programs that pass octets through.
type StreamOptions struct {
	// Borrow lends each record instead of giving it away: the []byte
	// GetOne or Get returns is the filter's own buffer, valid only until
	// the filter's next GetOneStart, GetOne or Get, as bufio.Scanner's
	// Bytes. A handler that keeps a record, or posts it to another event,
	// must copy it first. One that puts it back through a ReadWrite at
	// once need not: Put copies what it is given. No record then costs an
	// allocation, which is most of what an echo or a proxy over Stream
	// spends on 64 KiB reads.
	Borrow bool
}

// Stream is POE::Filter::Stream: no framing. GetOne returns everything
// buffered as one []byte record, a copy the caller may keep (unless
// StreamOptions.Borrow); Put appends string and []byte records unchanged.
type Stream struct {
	in     framing
	borrow bool
	lent   []byte // the record lent last (Borrow): GetOne's interface points here
}

// NewStream returns POE::Filter::Stream->new. Options are optional; the
// first is used.
func NewStream(opts ...StreamOptions) *Stream {
	s := &Stream{}
	if len(opts) > 0 {
		s.borrow = opts[0].Borrow
	}
	return s
}

// GetOneStart appends input to the buffer (get_one_start).
func (s *Stream) GetOneStart(data []byte) { s.in.add(data) }

// GetOne returns all buffered octets as one record, or nothing when the
// buffer is empty (get_one).
func (s *Stream) GetOne() (any, bool, error) {
	if s.in.len() == 0 {
		return nil, false, nil
	}
	if s.borrow {
		// The buffer is reused by the next GetOneStart, and the record's
		// interface points at s.lent: nothing is allocated.
		s.lent = s.in.bytes()
		s.in.reset()
		return box.Make(box.BytesType, unsafe.Pointer(&s.lent)), true, nil
	}
	if b := s.in.bytes(); len(b) > box.SmallCopy {
		// A large record is the buffer itself, handed over: the octets
		// are copied once, into the buffer, not a second time out of it.
		// The next GetOneStart makes a new buffer.
		s.in = framing{}
		return b, true, nil // the holder's alone, spare capacity and all
	}
	rec := box.BytesCopy(s.in.bytes()) // header and octets in one allocation
	s.in.reset()
	return rec, true, nil
}

// Get returns the buffered octets and data as one record (get).
func (s *Stream) Get(data []byte) ([]any, error) { return getAll(s, data) }

// Put appends string and []byte records to dst verbatim (put).
func (s *Stream) Put(dst []byte, records ...any) ([]byte, error) {
	return putOctets("Stream", dst, records)
}

// GetPending returns a copy of the buffered octets, or nil (get_pending).
func (s *Stream) GetPending() []byte { return s.in.pending() }

// Clone returns a new empty Stream with the same options (clone).
func (s *Stream) Clone() Filter { return NewStream(StreamOptions{Borrow: s.borrow}) }
