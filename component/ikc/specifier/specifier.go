// Package specifier parses and formats IKC specifiers, the
// poe://kernel/session/state addresses of POE::Component::IKC::Specifier.
//
// A specifier names a kernel, a session (alias or numeric ID) and a state.
// Users write it as a string; IKC itself puts it on the wire as a hash
// {kernel, session, state}. Parse accepts exactly the strings the Perl
// parser (specifier_parse) accepts and splits them the same way; String
// formats as specifier_name does.
//
// Deviations from the Perl parser:
//
//   - \w and \d are ASCII only. Perl matches Unicode word characters when a
//     string carries its UTF-8 flag; IKC names on the wire are ASCII.
//   - The Perl truthiness check rejects the strings "" and "0" before
//     matching; Parse does the same, with an error instead of undef.
//   - The patterns are anchored at the very end: a specifier followed by a
//     newline is refused, where Perl's $ may let it through.
package specifier

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// Specifier is one parsed IKC specifier: the hash {kernel, session, state}
// that specifier_parse returns, plus the ?args part when one was given.
// Missing parts are empty strings.
type Specifier struct {
	Kernel  string
	Session string
	State   string
	// Args is the text after "?" (word characters only); IKC appends it as
	// the last argument of the invoked state. Empty means no args part.
	Args string
}

// Scheme is the prefix every full string specifier starts with.
const Scheme = "poe:"

// Any is the kernel name that addresses every connected kernel (and the
// local one) at once.
const Any = "*"

// The grammar of section 9.1, written as Go regular expressions. Go's
// regexp picks the same submatches a backtracking engine such as Perl's
// would (leftmost-first), so the split between session and state is the
// Perl one.
const (
	kernelRE  = `\*|[-. \w]+|[a-zA-Z0-9][-.a-zA-Z0-9]+:\d+|unix:[-.\w]+(?::\d+-\d+)?`
	sessionRE = `[- \w]+`
	stateRE   = `[- \w]*`
	argsRE    = `\w+`
)

var (
	// poe: ( // kernel? )? ( / session )? ( /? state )? ( ? args )?
	withScheme = regexp.MustCompile(`^poe:(?://(` + kernelRE + `)?)?(?:/(` + sessionRE + `))?(?:/?(` + stateRE + `))?(?:\?(` + argsRE + `))?$`)
	// ( // kernel / )? ( session / )? state? ( ? args )?
	withoutScheme = regexp.MustCompile(`^(?://(` + kernelRE + `)/)?(?:(` + sessionRE + `)/)?(` + stateRE + `)?(?:\?(` + argsRE + `))?$`)
)

// ErrInvalid is wrapped by every error Parse returns.
var ErrInvalid = errors.New("invalid IKC specifier")

// Error reports a string that is not a specifier.
type Error struct {
	Input string
}

func (e *Error) Error() string { return fmt.Sprintf("%v %q", ErrInvalid, e.Input) }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

// Parse splits a string specifier as specifier_parse does: first as
// "poe:[//kernel][/session][/state][?args]", and when that fails as the
// scheme-less "[//kernel/][session/][state][?args]". It returns an *Error
// for anything Perl would answer with undef, including "" and "0".
func Parse(s string) (Specifier, error) {
	if v, ok := parsed.Load(s); ok {
		return v.(Specifier), nil
	}
	sp, err := parse(s)
	if err == nil && parsedCount.Load() < maxParsed {
		parsedCount.Add(1)
		parsed.Store(s, sp)
	}
	return sp, err
}

// IKC traffic names the same few kernels, sessions and states over and
// over, so parses are remembered: the regular expressions cost a
// microsecond, a look-up tens of nanoseconds. maxParsed bounds the memory
// a stream of distinct specifiers can take; past it, parsing goes on
// uncached.
const maxParsed = 4096

var (
	parsed      sync.Map // string -> Specifier
	parsedCount atomic.Int32
)

func parse(s string) (Specifier, error) {
	if s == "" || s == "0" {
		return Specifier{}, &Error{Input: s}
	}
	if strings.HasPrefix(s, Scheme) {
		if m := withScheme.FindStringSubmatch(s); m != nil {
			return Specifier{Kernel: m[1], Session: m[2], State: m[3], Args: m[4]}, nil
		}
	}
	if m := withoutScheme.FindStringSubmatch(s); m != nil {
		return Specifier{Kernel: m[1], Session: m[2], State: m[3], Args: m[4]}, nil
	}
	return Specifier{}, &Error{Input: s}
}

// MustParse is Parse for constants in programs and tests; it panics on an
// invalid specifier.
func MustParse(s string) Specifier {
	sp, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return sp
}

// String formats the specifier as specifier_name does: "poe:" followed by
// "//kernel", "/session" and "/state", each only when non-empty. Args are
// dropped. Two traps are inherited from IKC, whose specifier_name and
// specifier_parse do the same: {State: "x"} formats as "poe:/x", which
// parses back with x as the session; and a kernel alone whose start reads
// as host:port followed by more word characters, {Kernel: "unix:0A0"},
// formats as "poe://unix:0A0", which parses back as kernel "unix:0" and
// state "A0".
func (s Specifier) String() string {
	var b strings.Builder
	b.Grow(len(Scheme) + 4 + len(s.Kernel) + len(s.Session) + len(s.State))
	b.WriteString(Scheme)
	if s.Kernel != "" {
		b.WriteString("//")
		b.WriteString(s.Kernel)
	}
	if s.Session != "" {
		b.WriteByte('/')
		b.WriteString(s.Session)
	}
	if s.State != "" {
		b.WriteByte('/')
		b.WriteString(s.State)
	}
	return b.String()
}

// IsAny reports whether the specifier addresses every kernel ("*").
func (s Specifier) IsAny() bool { return s.Kernel == Any }

// Map returns the hash form IKC puts on the wire, {kernel, session,
// state}, as the serializer data model's map. Args do not travel.
func (s Specifier) Map() map[string]any {
	return map[string]any{"kernel": s.Kernel, "session": s.Session, "state": s.State}
}
