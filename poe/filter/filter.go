// Package filter holds POE's filters: objects that turn raw input octets
// into records and records back into octets, between a driver and a wheel.
//
// Every filter implements Filter, whose methods are POE::Filter's in Go
// case. Filters whose input is other filters' records rather than octets
// (Grep, Map, RecordBlock) also implement RecordFilter, which is how a
// Stackable passes records between layers unchanged.
//
// Errors never lose data silently: a filter that reports an error stays
// usable, the next GetOne carries on after the fault, and GetPending still
// returns every octet not yet consumed. Each filter documents the one thing
// it drops to recover (an over-long line, an oversized frame, a bad prefix).
package filter

import (
	"errors"
	"fmt"
	"unsafe"
)

// Filter is POE::Filter: a framing buffer with get_one_start, get_one, get,
// put, get_pending and clone. A filter is not safe for concurrent use.
type Filter interface {
	// GetOneStart appends raw input to the framing buffer (get_one_start).
	// The octets are copied; the caller may reuse data.
	GetOneStart(data []byte)
	// GetOne extracts at most one record (get_one). ok is false when the
	// buffer holds no complete record. After an error the filter stays
	// usable: call GetOne again to continue after the fault.
	GetOne() (rec any, ok bool, err error)
	// Get is GetOneStart then GetOne until no record is left (get). On an
	// error it returns the records extracted so far and the error; what
	// follows the fault stays buffered for the next GetOne or Get(nil).
	Get(data []byte) ([]any, error)
	// Put appends the wire form of records to dst and returns the extended
	// slice (put). A record the filter cannot encode is an error; records
	// before it have been appended.
	Put(dst []byte, records ...any) ([]byte, error)
	// GetPending returns a copy of the input not yet made into records, or
	// nil when there is none (get_pending). The buffer is left as it is.
	GetPending() []byte
	// Clone returns a filter with the same configuration and an empty
	// buffer (clone).
	Clone() Filter
}

// RecordFilter is a filter whose input is records, not octets: POE's Grep,
// Map and RecordBlock, which sit above an octet filter in a Stackable.
// Their Filter methods treat each input chunk as one []byte record and
// accept only string and []byte results on output.
type RecordFilter interface {
	Filter
	// GetOneStartRecords queues records from the layer below.
	GetOneStartRecords(records ...any)
	// PutRecords turns records from the layer above into records for the
	// layer below.
	PutRecords(records ...any) ([]any, error)
	// PendingRecords returns the queued input records, or nil.
	PendingRecords() []any
}

// The kinds of filter error; a filter's error wraps one of these, so
// callers test them with errors.Is. The texts are POE's where POE has one.
var (
	ErrBufferLimit = errors.New("framing buffer exceeds the limit")
	ErrLineLength  = errors.New("next line exceeds maximum line length")
	ErrBlockLength = errors.New("expected size of next block exceeds the limit")
	ErrFrameSize   = errors.New("next frame exceeds the limit")
	ErrBadFrame    = errors.New("bad frame prefix")
	ErrRecordType  = errors.New("cannot put record")
	ErrSerializer  = errors.New("serializer failed")
)

// Error is a filter failure: which filter, which kind (one of the Err
// variables) and the particulars.
type Error struct {
	Filter string // "Line", "Reference", ...
	Err    error  // the kind, one of the Err variables
	Detail string // numbers, offending bytes or the wrapped cause
	Cause  error  // an underlying error (a serializer's), if any
}

// Error reads like "filter.Line: next line exceeds maximum line length (9 > 5)".
func (e *Error) Error() string {
	s := "filter." + e.Filter + ": " + e.Err.Error()
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the kind and the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

func newError(filter string, kind error, format string, args ...any) *Error {
	return &Error{Filter: filter, Err: kind, Detail: fmt.Sprintf(format, args...)}
}

// getAll is POE::Filter::get on top of GetOneStart and GetOne.
func getAll(f Filter, data []byte) ([]any, error) { return collect(f, data, nil) }

// collect is getAll for a filter whose records may each need a value of
// their own: own, when not nil, is given each record before the next
// GetOne can change it.
func collect(f Filter, data []byte, own func(any) any) ([]any, error) {
	if len(data) > 0 {
		f.GetOneStart(data)
	}
	var out []any
	for {
		rec, ok, err := f.GetOne()
		if err != nil {
			return out, err
		}
		if !ok {
			return out, nil
		}
		if own != nil {
			rec = own(rec)
		}
		out = append(out, rec)
	}
}

// ownBytes gives a borrowed []byte record a slice header of its own: the
// octets are still the filter's.
func ownBytes(rec any) any { return any(rec.([]byte)) }

// copyBytes gives a borrowed []byte record octets of its own, for a
// holder that keeps it past the lender's next call.
func copyBytes(rec any) any { return append([]byte(nil), rec.([]byte)...) }

// octets returns the bytes of a string or []byte record without copying;
// the result must only be read.
func octets(rec any) ([]byte, bool) {
	switch v := rec.(type) {
	case []byte:
		return v, true
	case string:
		return unsafe.Slice(unsafe.StringData(v), len(v)), true
	}
	return nil, false
}

// putOctets appends string and []byte records verbatim, the output side of
// a filter that does no framing.
func putOctets(name string, dst []byte, records []any) ([]byte, error) {
	var err error
	for _, r := range records {
		if dst, err = appendOctets(name, dst, r); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendOctets is putOctets for one record.
func appendOctets(name string, dst []byte, record any) ([]byte, error) {
	b, ok := octets(record)
	if !ok {
		return dst, notOctets(name, record)
	}
	return append(dst, b...), nil
}

// notOctets is the ErrRecordType error of a filter given a record that is
// neither a string nor a []byte.
func notOctets(name string, record any) error {
	return newError(name, ErrRecordType, "%T, want string or []byte", record)
}

// quote shows up to 32 offending octets in an error.
func quote(b []byte) string {
	if len(b) > 32 {
		return fmt.Sprintf("%q...", b[:32])
	}
	return fmt.Sprintf("%q", b)
}
