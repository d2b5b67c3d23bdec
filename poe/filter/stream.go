package filter

import "github.com/poe-go/poe/poe/internal/box"

// StreamOptions are NewStream's options. POE::Filter::Stream has none:
// Borrow is Go's own, for programs that pass octets through.
type StreamOptions struct {
	// Borrow lends each record instead of giving it away, as
	// bufio.Scanner's Bytes does. The filter keeps the octets given to
	// GetOneStart as they are, not a copy, and GetOne or Get returns
	// them: the caller must leave them unchanged until then, and the
	// record is valid only until the filter's next call and while those
	// octets stay unchanged. In a ReadWrite, that is while the InputEvent
	// handler runs. A handler that keeps a record, or posts it to another
	// event, must copy it first; one that puts it back through a
	// ReadWrite at once need not, since Put copies.
	//
	// No record then costs an allocation or a copy, which is most of what
	// an echo or a proxy over Stream spends beyond its system calls, and
	// an idle connection keeps no buffer.
	Borrow bool
}

// Stream is POE::Filter::Stream: no framing. GetOne returns everything
// buffered as one []byte record, a copy the caller may keep (unless
// StreamOptions.Borrow); Put appends string and []byte records unchanged.
type Stream struct {
	in     framing
	borrow bool
	held   []byte // Borrow: input kept as given, while in is empty
	lent   []byte // Borrow: the record lent last; GetOne's interface points here
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

// GetOneStart appends input to the buffer (get_one_start). A borrowing
// Stream keeps input given to an empty buffer as it is.
func (s *Stream) GetOneStart(data []byte) {
	if len(data) == 0 {
		return
	}
	if s.borrow && s.held == nil && s.in.len() == 0 {
		s.held = data
		return
	}
	s.unhold()
	s.in.add(data)
}

// unhold copies held input into the buffer, before more is added to it.
func (s *Stream) unhold() {
	if s.held != nil {
		s.in.add(s.held)
		s.held = nil
	}
}

// GetOne returns all buffered octets as one record, or nothing when the
// buffer is empty (get_one).
func (s *Stream) GetOne() (any, bool, error) {
	if s.borrow {
		return s.lend()
	}
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

// lend is GetOne for Borrow: the held input, or the buffer, lent through
// an interface that points at s.lent, so that nothing is allocated.
func (s *Stream) lend() (any, bool, error) {
	switch {
	case s.held != nil:
		s.lent, s.held = s.held, nil
	case s.in.len() > 0:
		s.lent = s.in.bytes() // the next GetOneStart reuses the buffer
		s.in.reset()
	default:
		return nil, false, nil
	}
	return box.LendBytes(&s.lent), true, nil
}

// Get returns the buffered octets and data as one record (get).
func (s *Stream) Get(data []byte) ([]any, error) { return getAll(s, data) }

// Put appends string and []byte records to dst verbatim (put).
func (s *Stream) Put(dst []byte, records ...any) ([]byte, error) {
	return putOctets("Stream", dst, records)
}

// AppendRecord appends one record to dst: Put for a single record.
func (s *Stream) AppendRecord(dst []byte, record any) ([]byte, error) {
	return appendOctets("Stream", dst, record)
}

// GetPending returns a copy of the buffered octets, or nil (get_pending).
func (s *Stream) GetPending() []byte {
	if s.held != nil {
		return append([]byte(nil), s.held...)
	}
	return s.in.pending()
}

// Clone returns a new empty Stream with the same options (clone).
func (s *Stream) Clone() Filter { return NewStream(StreamOptions{Borrow: s.borrow}) }
