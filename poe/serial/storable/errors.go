package storable

import (
	"errors"
	"fmt"
)

// Problems Thaw reports; every *Error wraps one of them, so callers can test
// with errors.Is.
var (
	// ErrHeader means the image does not start with a Storable header this
	// reader understands (Perl: "Magic number checking on storable string
	// failed", "more recent than I am").
	ErrHeader = errors.New("bad Storable header")
	// ErrTruncated means the image ends inside an item.
	ErrTruncated = errors.New("truncated data")
	// ErrLength means a length or count field claims more than the rest of
	// the image holds.
	ErrLength = errors.New("length past the end")
	// ErrOpcode means an opcode Storable never defined.
	ErrOpcode = errors.New("unknown opcode")
	// ErrUnsupported means a defined opcode this reader refuses: tied data,
	// STORABLE_freeze hooks, and SX_CODE (a thawed value never names code).
	ErrUnsupported = errors.New("unsupported opcode")
	// ErrObjectTag means SX_OBJECT names an item not read yet (Perl:
	// "Object #n should have been retrieved already").
	ErrObjectTag = errors.New("object tag does not exist")
	// ErrTooDeep means nesting passed Options.MaxDepth.
	ErrTooDeep = errors.New("nesting too deep")
	// ErrTooMany means the image holds more items than Options.MaxItems.
	ErrTooMany = errors.New("too many items")
	// ErrTrailing means bytes follow the complete image. Perl ignores them;
	// a frame carries exactly one image, so this reader does not.
	ErrTrailing = errors.New("trailing bytes after the image")
	// ErrFreeze means a Go value has no Perl equivalent (Perl: "Can't store
	// CODE items").
	ErrFreeze = errors.New("cannot freeze")
)

// Error is a thaw failure at a byte offset of the image, like Perl's
// "Corrupted storable string" but saying where and why.
type Error struct {
	Offset int    // byte offset of the problem in the image
	Op     string // opcode being read, e.g. "SX_HASH", or "" for the header
	Detail string // what was wrong, e.g. "need 4 bytes, have 2"
	Err    error  // one of the Err* problems above
}

// Error formats the problem as "storable: offset N (OP): problem: detail".
func (e *Error) Error() string {
	s := fmt.Sprintf("storable: offset %d", e.Offset)
	if e.Op != "" {
		s += " (" + e.Op + ")"
	}
	s += ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the problem, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }
