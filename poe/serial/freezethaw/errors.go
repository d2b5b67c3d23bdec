package freezethaw

import (
	"errors"
	"fmt"
	"strconv"
)

// Problems Thaw and Freeze report; every *Error wraps one of them, so
// callers can test with errors.Is.
var (
	// ErrHeader means the image does not start with FreezeThaw's
	// signature "FrT;". (Perl thaws unsigned text anyway, with a warning;
	// its freeze always writes the signature.)
	ErrHeader = errors.New("bad FreezeThaw signature")
	// ErrTruncated means the image ends inside an item.
	ErrTruncated = errors.New("truncated data")
	// ErrLength means a length or count claims more than the rest of the
	// image holds (Perl: "Frozen string too short").
	ErrLength = errors.New("length past the end")
	// ErrFormat means an item is malformed: a count without its digits
	// or '|', a hash with an odd count or a key that is not a string, an
	// object whose class is empty, a shared object filled as another type
	// or class than it was made, a top level that is not one frozen value
	// (Perl: "Wrong format of frozen string"). A key met twice is not an
	// error: its last value stands, as in Perl.
	ErrFormat = errors.New("malformed item")
	// ErrTag means a tag character FreezeThaw never writes (Perl: "Do not
	// know how to thaw data with code").
	ErrTag = errors.New("unknown tag")
	// ErrUnsupported means an item this reader refuses: code and glob
	// references, safeFreeze's process-local cached data, and a cycle
	// through blessed scalar references (a serial.Blessed holds its value,
	// so it cannot hold itself, however many blessed scalars lie between).
	ErrUnsupported = errors.New("unsupported item")
	// ErrBackRef means '<' names a shared object the image does not have
	// (or stands for a shared object's empty form), or a package id not
	// defined yet.
	ErrBackRef = errors.New("reference to an object that does not exist")
	// ErrTooDeep means nesting passed Options.MaxDepth.
	ErrTooDeep = errors.New("nesting too deep")
	// ErrTooMany means the image holds more items than Options.MaxItems.
	ErrTooMany = errors.New("too many items")
	// ErrTrailing means bytes follow the complete image (Perl: "Extra
	// elements in frozen structure").
	ErrTrailing = errors.New("trailing bytes after the image")
	// ErrFreeze means a Go value has no Perl equivalent FreezeThaw can
	// carry (a func, a chan, a complex number, a class named "").
	ErrFreeze = errors.New("cannot freeze")
)

// Error is a thaw failure at a byte offset of the image, like Perl's
// confessions from FreezeThaw::thaw but saying where and why.
type Error struct {
	Offset int    // byte offset of the problem in the image
	Tag    byte   // tag character of the item being read, or 0
	Detail string // what was wrong, e.g. "claims 9 bytes, only 3 left"
	Err    error  // one of the Err* problems above
}

// Error formats the problem as "freezethaw: offset N (tag 'T' kind):
// problem: detail".
func (e *Error) Error() string {
	s := "freezethaw: offset " + strconv.Itoa(e.Offset)
	if e.Tag != 0 {
		s += " (" + tagName(e.Tag) + ")"
	}
	s += ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the problem, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// tagName names a tag character for error messages.
func tagName(c byte) string {
	var what string
	switch c {
	case tagString:
		what = "string"
	case tagUndef:
		what = "undef"
	case tagArray:
		what = "array"
	case tagHash:
		what = "hash"
	case tagRef:
		what = "scalar reference"
	case tagBackRef:
		what = "shared object"
	case tagObject:
		what = "object"
	case tagPackage:
		what = "package"
	case tagRegexp:
		what = "regexp"
	case tagShared:
		what = "shared-object table"
	case tagAllocate:
		what = "object allocation"
	case tagInstance:
		what = "object instance"
	case tagCode:
		what = "code reference"
	case tagGlob:
		what = "glob"
	case tagCached:
		what = "cached data"
	}
	q := strconv.QuoteRune(rune(c))
	if c >= 0x80 {
		q = fmt.Sprintf("byte 0x%02x", c)
	}
	if what == "" {
		return "tag " + q
	}
	return "tag " + q + " " + what
}

// freezeError wraps a Freeze failure with the package's prefix.
func freezeError(err error, format string, args ...any) error {
	return fmt.Errorf("freezethaw: freeze: %w: "+format, append([]any{err}, args...)...)
}
