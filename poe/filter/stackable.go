package filter

import "reflect"

// Stackable is POE::Filter::Stackable: filters in layers, the first nearest
// the wire. Input octets enter the first filter, each filter's records are
// fed to the next, and the last filter's records come out. Put sends
// records through the filters in reverse order.
//
// A record filter (RecordFilter) receives the records of the layer below
// as they are; an octet filter above another filter receives them as octets
// and must be given string or []byte records.
type Stackable struct {
	filters []Filter
	out     queue // records released by Pop
	raw     framing
}

// NewStackable returns POE::Filter::Stackable->new(Filters => [...]),
// filters[0] nearest the wire. A stack without filters passes octets
// through like a Stream.
func NewStackable(filters ...Filter) *Stackable {
	return &Stackable{filters: append([]Filter(nil), filters...)}
}

// Filters returns the filters, the first nearest the wire (filters).
func (s *Stackable) Filters() []Filter { return append([]Filter(nil), s.filters...) }

// FilterTypes names the filters' types, e.g. "*filter.Line" (filter_types).
func (s *Stackable) FilterTypes() []string {
	names := make([]string, len(s.filters))
	for i, f := range s.filters {
		names[i] = reflect.TypeOf(f).String()
	}
	return names
}

// Push adds filters on top, farthest from the wire (push). Records a Pop
// released go into the first filter pushed, whose input they are; on an
// empty stack, so do the octets it was given.
func (s *Stackable) Push(filters ...Filter) {
	if len(filters) == 0 {
		return
	}
	wasEmpty := len(s.filters) == 0
	s.filters = append(s.filters, filters...)
	s.handOver(filters[0], wasEmpty)
}

// Unshift adds filters at the bottom, nearest the wire (unshift). On an
// empty stack, what it holds goes into the first filter, as with Push.
func (s *Stackable) Unshift(filters ...Filter) {
	if len(filters) == 0 {
		return
	}
	wasEmpty := len(s.filters) == 0
	s.filters = append(append([]Filter(nil), filters...), s.filters...)
	if wasEmpty {
		s.handOver(filters[0], true)
	}
}

// handOver feeds f, a filter just added on top, the records a Pop
// released and, when the stack was empty, the octets it held: without
// it they would bypass f, or be stranded once the stack has filters.
// (POE's pop puts those records through the put of the filter below and
// drops the result.) A record f cannot read stays to come out first.
func (s *Stackable) handOver(f Filter, wasEmpty bool) {
	for s.out.len() > 0 {
		r, _ := s.out.pop()
		if feed(f, r) != nil {
			s.out.unpop(r)
			break
		}
	}
	if wasEmpty && s.raw.len() > 0 {
		f.GetOneStart(s.raw.bytes())
		s.raw.reset()
	}
}

// Pop removes and returns the top filter, or nil when the stack is empty
// (pop). Its pending input records are not lost: they already passed the
// layers below, so the stack returns them from GetOne before anything
// else, or gives them to the filter pushed next.
func (s *Stackable) Pop() Filter {
	if len(s.filters) == 0 {
		return nil
	}
	f := s.filters[len(s.filters)-1]
	s.filters = s.filters[:len(s.filters)-1]
	s.out.push(pendingRecords(f)...)
	return f
}

// Shift removes and returns the bottom filter, or nil when the stack is
// empty (shift). Its pending octets move to the new bottom filter, which
// now reads the wire.
func (s *Stackable) Shift() Filter {
	if len(s.filters) == 0 {
		return nil
	}
	f := s.filters[0]
	s.filters = s.filters[1:]
	if p := f.GetPending(); p != nil {
		s.GetOneStart(p)
	}
	return f
}

// GetOneStart appends octets to the bottom filter (get_one_start).
func (s *Stackable) GetOneStart(data []byte) {
	if len(s.filters) == 0 {
		s.raw.add(data)
		return
	}
	s.filters[0].GetOneStart(data)
}

// Get returns every record the stack can produce after appending data
// (get). Records borrowed from a top layer that lends them are copied:
// between two of them the stack feeds that layer more input, which may
// move the octets the earlier ones point into.
func (s *Stackable) Get(data []byte) ([]any, error) {
	if len(s.filters) > 0 && lends(s.filters[len(s.filters)-1]) {
		return collect(s, data, copyBytes)
	}
	return getAll(s, data)
}

// GetOne returns the next record from the top of the stack (get_one). Each
// layer gets one record at a time from the layer below until the top one
// yields a record or no layer has anything left.
func (s *Stackable) GetOne() (any, bool, error) {
	if r, ok := s.out.pop(); ok {
		return r, true, nil
	}
	if len(s.filters) == 0 {
		if s.raw.len() == 0 {
			return nil, false, nil
		}
		r := append([]byte(nil), s.raw.bytes()...)
		s.raw.reset()
		return r, true, nil
	}
	for {
		var rec any
		have, moved := false, false
		for i, f := range s.filters {
			if have {
				if _, ok := f.(RecordFilter); ok && lends(s.filters[i-1]) {
					// A record filter keeps the record as it is, while
					// the lender's next GetOne reuses it: copy it.
					rec = copyBytes(rec)
				}
				if err := feed(f, rec); err != nil {
					return nil, false, err
				}
				moved = true
			}
			var err error
			if rec, have, err = f.GetOne(); err != nil {
				return nil, false, err
			}
		}
		if have {
			return rec, true, nil
		}
		if !moved {
			return nil, false, nil
		}
	}
}

// lends reports whether f's records are borrowed (LineOptions.Borrow,
// StreamOptions.Borrow): []byte records valid only until f's next call.
func lends(f Filter) bool {
	switch v := f.(type) {
	case *Line:
		return v.opts.Borrow
	case *Stream:
		return v.borrow
	}
	return false
}

// feed passes one record from the layer below into f.
func feed(f Filter, rec any) error {
	if rf, ok := f.(RecordFilter); ok {
		rf.GetOneStartRecords(rec)
		return nil
	}
	b, ok := octets(rec)
	if !ok {
		return newError("Stackable", ErrRecordType, "%T cannot be fed to %T, which reads octets", rec, f)
	}
	f.GetOneStart(b)
	return nil
}

// putDown sends records through filter f towards the wire and returns what
// the layer below receives, with the records f encoded before one it
// refused. An octet filter's output is one chunk per record, as POE's put
// returns (so a Block under a Line frames each line), except a fixed-size
// Block's, which POE joins into one.
func putDown(f Filter, recs []any) ([]any, error) {
	if rf, ok := f.(RecordFilter); ok {
		return rf.PutRecords(recs...)
	}
	if b, ok := f.(*Block); ok && b.opts.BlockSize > 0 {
		joined, err := f.Put(nil, recs...)
		if len(joined) == 0 {
			return nil, err
		}
		return []any{joined}, err
	}
	out := make([]any, 0, len(recs))
	for _, r := range recs {
		chunk, err := f.Put(nil, r)
		if err != nil {
			return out, err
		}
		out = append(out, chunk)
	}
	return out, nil
}

// Put sends records down through every filter, top first, and appends the
// bottom filter's octets to dst (put). When a layer refuses a record, the
// records before it still go down and are appended, as Filter's contract
// says, and the error is returned.
func (s *Stackable) Put(dst []byte, records ...any) ([]byte, error) {
	if len(s.filters) == 0 {
		return putOctets("Stackable", dst, records)
	}
	recs := records
	var refused error
	for i := len(s.filters) - 1; i > 0 && len(recs) > 0; i-- {
		var err error
		if recs, err = putDown(s.filters[i], recs); err != nil {
			refused = err // a lower layer's refusal comes earlier in the output and wins
		}
	}
	if len(recs) == 0 {
		return dst, refused
	}
	dst, err := s.filters[0].Put(dst, recs...)
	if err != nil {
		return dst, err
	}
	return dst, refused
}

// GetPending returns the stack's unconsumed input as wire octets, or nil
// (get_pending). Unlike POE, whose cascade ends up reporting only the top
// filter's pending records, every layer counts: records waiting in an
// upper layer are put back down through the layers below (re-encoded) and
// come first, followed by the octets the bottom filter has not parsed, so
// that another filter fed the result sees the same input. Records released
// by Pop come first of all. Records a layer below refuses to encode have
// no wire form and are left out.
func (s *Stackable) GetPending() []byte {
	carry := s.out.pending()
	for i := len(s.filters) - 1; i >= 0; i-- {
		f := s.filters[i]
		if len(carry) > 0 {
			carry, _ = putDown(f, carry) // what cannot be encoded has no wire form
		}
		carry = append(carry, pendingRecords(f)...)
	}
	var out []byte
	for _, r := range carry {
		b, _ := octets(r)
		out = append(out, b...)
	}
	// An empty stack's octets come last: nothing has read them yet (what
	// a Pop of its last filter released is carry, above).
	return append(out, s.raw.bytes()...)
}

// pendingRecords is a filter's pending input in record form.
func pendingRecords(f Filter) []any {
	if rf, ok := f.(RecordFilter); ok {
		return rf.PendingRecords()
	}
	if p := f.GetPending(); p != nil {
		return []any{p}
	}
	return nil
}

// Clone returns a stack of clones of the filters, with empty buffers
// (clone).
func (s *Stackable) Clone() Filter {
	c := &Stackable{filters: make([]Filter, len(s.filters))}
	for i, f := range s.filters {
		c.filters[i] = f.Clone()
	}
	return c
}
