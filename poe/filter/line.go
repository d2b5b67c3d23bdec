package filter

import (
	"bytes"
	"errors"
	"regexp"

	"github.com/poe-go/poe/poe/internal/box"
)

// Default limits of the octet filters, POE's defaults.
const (
	DefaultMaxLength = 64 << 20  // one line or block: 64 MiB
	DefaultMaxBuffer = 512 << 20 // the framing buffer: 512 MiB
)

// LineOptions configures a Line, with POE::Filter::Line's parameters. The
// zero value is POE's default: input lines end at CR, LF, CR LF or LF CR,
// output lines get CR LF.
type LineOptions struct {
	// Literal is the one terminator for input and output (Literal).
	Literal string
	// InputLiteral splits input exactly on this string (InputLiteral).
	InputLiteral string
	// InputRegexp splits input where it matches (InputRegexp); it must
	// not match the empty string.
	InputRegexp *regexp.Regexp
	// OutputLiteral is appended to each output record (OutputLiteral).
	OutputLiteral string
	// Autodetect fixes the input terminator to the first of CR, LF, CR LF
	// or LF CR seen (POE's InputLiteral => undef).
	Autodetect bool
	// MaxLength is the longest line in octets (MaxLength); 0 means
	// DefaultMaxLength.
	MaxLength int
	// MaxBuffer is the largest framing buffer in octets (MaxBuffer); 0
	// means DefaultMaxBuffer. It must be at least MaxLength.
	MaxBuffer int
	// Borrow makes each line a []byte view of the filter's buffer
	// instead of a string copy, as bufio.Reader's ReadSlice does. It is
	// Go's own, not POE's: a borrowed line is valid only until the
	// filter's next call (in a ReadWrite, while the InputEvent handler
	// runs), and it is not a string, so ArgString finds none. A handler
	// that keeps a line must copy it (string(line)); one that puts it
	// back through a ReadWrite at once need not, since Put copies. No
	// line then costs an allocation.
	Borrow bool
}

// Validate reports what POE::Filter::Line->new would croak about: Literal
// combined with another terminator option, two input terminators, bad
// limits, or a regexp that matches the empty string.
func (o LineOptions) Validate() error {
	bad := func(msg string) error { return &Error{Filter: "Line", Err: errInvalid, Detail: msg} }
	switch {
	case o.Literal != "" && (o.InputLiteral != "" || o.InputRegexp != nil || o.OutputLiteral != "" || o.Autodetect):
		return bad("Literal cannot be combined with another terminator option")
	case o.InputLiteral != "" && (o.InputRegexp != nil || o.Autodetect):
		return bad("only one of InputLiteral, InputRegexp and Autodetect may be given")
	case o.InputRegexp != nil && o.Autodetect:
		return bad("only one of InputLiteral, InputRegexp and Autodetect may be given")
	case o.InputRegexp != nil && o.InputRegexp.Match(nil):
		return bad("InputRegexp must not match the empty string")
	case o.MaxLength < 0:
		return bad("MaxLength must be greater than 0")
	case o.MaxBuffer < 0:
		return bad("MaxBuffer must be greater than 0")
	case orDefault(o.MaxBuffer, DefaultMaxBuffer) < orDefault(o.MaxLength, DefaultMaxLength):
		return bad("MaxBuffer is not large enough for MaxLength blocks")
	}
	return nil
}

// errInvalid is the kind of a configuration error from a Validate method.
var errInvalid = errors.New("invalid options")

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

type lineMode uint8

const (
	lineDefault    lineMode = iota // CR, LF, CR LF or LF CR
	lineLiteral                    // exactly term
	lineRegexp                     // where re matches
	lineAutoFirst                  // autodetect: no terminator seen yet
	lineAutoSecond                 // autodetect: lone CR or LF ended the buffer
)

// Line is POE::Filter::Line: records are lines, Go strings without their
// terminator. Put accepts string and []byte records and appends the output
// terminator to each.
//
// In the default mode a line ends at the first CR or LF, which takes a
// following LF or CR with it. As in POE, a CR LF pair split between two
// reads ends one line at the CR and yields an empty line at the LF.
//
// Limits: a complete line longer than MaxLength is consumed and reported as
// ErrLineLength (that line is dropped). A partial line that already exceeds
// MaxLength is reported at once and then discarded up to its terminator,
// so an endless line cannot grow the buffer (not done for InputRegexp,
// whose terminator length is unknown). Input that takes the buffer past
// MaxBuffer is kept, and ErrBufferLimit is reported once by the next GetOne.
type Line struct {
	opts     LineOptions
	in       framing
	mode     lineMode
	term     []byte
	out      []byte
	maxLen   int
	maxBuf   int
	clean    int // offset in in.b before which no terminator starts
	overflow int // buffer size that passed MaxBuffer, reported by GetOne
	skipping bool
	lent     []byte // Borrow: the line lent last; GetOne's interface points here
}

// NewLine returns POE::Filter::Line->new(...) for the options given (none
// means the defaults). Invalid options panic, as POE's constructor croaks;
// check them first with LineOptions.Validate when they come from input.
func NewLine(opts ...LineOptions) *Line {
	var o LineOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if err := o.Validate(); err != nil {
		panic(err.Error())
	}
	l := &Line{opts: o, maxLen: orDefault(o.MaxLength, DefaultMaxLength), maxBuf: orDefault(o.MaxBuffer, DefaultMaxBuffer)}
	switch {
	case o.Literal != "":
		l.mode, l.term, l.out = lineLiteral, []byte(o.Literal), []byte(o.Literal)
		return l
	case o.InputLiteral != "":
		l.mode, l.term = lineLiteral, []byte(o.InputLiteral)
	case o.InputRegexp != nil:
		l.mode = lineRegexp
	case o.Autodetect:
		l.mode = lineAutoFirst
	}
	l.out = []byte("\r\n")
	if o.OutputLiteral != "" {
		l.out = []byte(o.OutputLiteral)
	}
	return l
}

// GetOneStart appends input to the framing buffer (get_one_start).
func (l *Line) GetOneStart(data []byte) {
	l.clean -= l.in.add(data)
	if l.in.len() > l.maxBuf && l.overflow == 0 {
		l.overflow = l.in.len()
	}
}

// Get returns every complete line in the buffer after appending data
// (get). Borrowed lines get a slice header each here, so that all of them
// stay valid until the filter's next call.
func (l *Line) Get(data []byte) ([]any, error) {
	if l.opts.Borrow {
		return collect(l, data, ownBytes)
	}
	return getAll(l, data)
}

// GetOne returns the next complete line as a string, or as a borrowed
// []byte with LineOptions.Borrow (get_one).
func (l *Line) GetOne() (any, bool, error) {
	if l.overflow > 0 {
		n := l.overflow
		l.overflow = 0
		return nil, false, newError("Line", ErrBufferLimit, "%d > %d", n, l.maxBuf)
	}
	for {
		b := l.in.bytes()
		switch l.mode {
		case lineAutoSecond:
			if len(b) == 0 {
				return nil, false, nil
			}
			if b[0] == otherNewline(l.term[0]) {
				l.term = append(l.term, b[0])
				l.in.skip(1)
			}
			l.mode, l.clean = lineLiteral, l.in.r
			continue
		case lineRegexp:
			loc := l.opts.InputRegexp.FindIndex(b)
			if loc == nil {
				return nil, false, nil
			}
			if l.done(loc[1]) {
				continue
			}
			return l.emit(b[:loc[0]], loc[1])
		case lineLiteral:
			from := max(l.clean-l.in.r, 0)
			var p int
			if len(l.term) == 1 {
				p = bytes.IndexByte(b[from:], l.term[0]) // no dispatch on the length
			} else {
				p = bytes.Index(b[from:], l.term)
			}
			if p < 0 {
				l.clean = len(l.in.b) - (len(l.term) - 1)
				return l.partial(len(b) - (len(l.term) - 1))
			}
			p += from
			if l.done(p + len(l.term)) {
				continue
			}
			return l.emit(b[:p], p+len(l.term))
		default: // lineDefault, lineAutoFirst
			p, n := l.findNewline(b)
			if p < 0 {
				return l.partial(len(b))
			}
			if l.mode == lineAutoFirst {
				l.detect(b, p, n)
			}
			if l.done(p + n) {
				continue
			}
			return l.emit(b[:p], p+n)
		}
	}
}

// done ends a skip over an over-long line once its terminator (ending at
// end) is in the buffer; it reports whether it did.
func (l *Line) done(end int) bool {
	if !l.skipping {
		return false
	}
	l.skipping = false
	l.in.skip(end)
	return true
}

// emit consumes a line and its terminator, end octets in all.
func (l *Line) emit(line []byte, end int) (any, bool, error) {
	if len(line) > l.maxLen {
		n := len(line)
		l.in.skip(end)
		return nil, false, newError("Line", ErrLineLength, "%d > %d", n, l.maxLen)
	}
	l.in.skip(end) // the octets stay where they are until the next GetOneStart
	if l.opts.Borrow {
		l.lent = line
		return box.LendBytes(&l.lent), true, nil
	}
	return box.StringCopy(line), true, nil // header and octets in one allocation
}

// partial handles a buffer without a terminator whose first n octets are
// certainly part of the current line.
func (l *Line) partial(n int) (any, bool, error) {
	if l.mode == lineRegexp || n <= 0 {
		return nil, false, nil
	}
	if l.skipping {
		l.in.skip(n)
		return nil, false, nil
	}
	if n <= l.maxLen {
		return nil, false, nil
	}
	l.in.skip(n)
	l.skipping = true
	return nil, false, newError("Line", ErrLineLength, "partial line %d > %d; discarding it up to its terminator", n, l.maxLen)
}

// detect fixes the autodetected terminator: a pair, or a lone CR or LF that
// is followed by more input, is final; a lone one at the end of the buffer
// waits for the next octet.
func (l *Line) detect(b []byte, p, n int) {
	l.term = append(l.term[:0], b[p:p+n]...)
	if n == 2 || p+1 < len(b) {
		l.mode = lineLiteral
	} else {
		l.mode = lineAutoSecond
	}
	l.clean = 0
}

// findNewline finds the first CR or LF and whether the other follows it,
// with two memchr-speed scans instead of a regexp.
func (l *Line) findNewline(b []byte) (pos, n int) {
	from := max(l.clean-l.in.r, 0)
	lf := bytes.IndexByte(b[from:], '\n')
	if lf >= 0 {
		lf += from
		l.clean = l.in.r + lf
	} else {
		l.clean = len(l.in.b)
	}
	limit := len(b)
	if lf >= 0 {
		limit = lf
	}
	p := bytes.IndexByte(b[:limit], '\r')
	if p < 0 {
		p = lf
	}
	if p < 0 {
		return -1, 0
	}
	if p+1 < len(b) && b[p+1] == otherNewline(b[p]) {
		return p, 2
	}
	return p, 1
}

func otherNewline(c byte) byte {
	if c == '\r' {
		return '\n'
	}
	return '\r'
}

// Put appends each record and the output terminator to dst (put).
func (l *Line) Put(dst []byte, records ...any) ([]byte, error) {
	var err error
	for _, r := range records {
		if dst, err = l.AppendRecord(dst, r); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// AppendRecord appends one record and the output terminator to dst: Put
// for a single record. It appends the octets itself rather than through
// appendOctets, which is too large to inline: every line put passes here.
func (l *Line) AppendRecord(dst []byte, record any) ([]byte, error) {
	b, ok := octets(record)
	if !ok {
		return dst, notOctets("Line", record)
	}
	dst = append(dst, b...)
	return append(dst, l.out...), nil
}

// GetPending returns a copy of the unparsed input, or nil (get_pending).
func (l *Line) GetPending() []byte { return l.in.pending() }

// Clone returns a Line with the same settings, including a terminator
// already autodetected, and an empty buffer (clone).
func (l *Line) Clone() Filter {
	c := *l
	c.in = framing{}
	c.term = append([]byte(nil), l.term...)
	c.clean, c.overflow, c.skipping, c.lent = 0, 0, false, nil
	return &c
}
