package filter

import "github.com/poe-go/poe/poe/internal/box"

// Stream is POE::Filter::Stream: no framing. GetOne returns everything
// buffered as one []byte record (a copy the caller may keep); Put appends
// string and []byte records unchanged.
type Stream struct {
	in framing
}

// NewStream returns POE::Filter::Stream->new.
func NewStream() *Stream { return &Stream{} }

// GetOneStart appends input to the buffer (get_one_start).
func (s *Stream) GetOneStart(data []byte) { s.in.add(data) }

// GetOne returns all buffered octets as one record, or nothing when the
// buffer is empty (get_one).
func (s *Stream) GetOne() (any, bool, error) {
	if s.in.len() == 0 {
		return nil, false, nil
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

// Clone returns a new empty Stream (clone).
func (s *Stream) Clone() Filter { return NewStream() }
