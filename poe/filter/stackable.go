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

// Push adds filters on top, farthest from the wire (push).
func (s *Stackable) Push(filters ...Filter) { s.filters = append(s.filters, filters...) }

// Unshift adds filters at the bottom, nearest the wire (unshift).
func (s *Stackable) Unshift(filters ...Filter) {
	s.filters = append(append([]Filter(nil), filters...), s.filters...)
}

// Pop removes and returns the top filter, or nil when the stack is empty
// (pop). Its pending input records are not lost: the stack returns them
// from GetOne before anything else, since they already passed the layers
// below.
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

// Get returns every record the stack can produce after appending data (get).
func (s *Stackable) Get(data []byte) ([]any, error) { return getAll(s, data) }

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
		for _, f := range s.filters {
			if have {
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
// the layer below receives.
func putDown(f Filter, recs []any) ([]any, error) {
	if rf, ok := f.(RecordFilter); ok {
		return rf.PutRecords(recs...)
	}
	b, err := f.Put(nil, recs...)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	return []any{b}, nil
}

// Put sends records down through every filter, top first, and appends the
// bottom filter's octets to dst (put).
func (s *Stackable) Put(dst []byte, records ...any) ([]byte, error) {
	if len(s.filters) == 0 {
		return putOctets("Stackable", dst, records)
	}
	recs := records
	for i := len(s.filters) - 1; i > 0; i-- {
		var err error
		if recs, err = putDown(s.filters[i], recs); err != nil {
			return dst, err
		}
		if len(recs) == 0 {
			return dst, nil
		}
	}
	return s.filters[0].Put(dst, recs...)
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
	if len(s.filters) == 0 {
		return s.raw.pending()
	}
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
	return out
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
