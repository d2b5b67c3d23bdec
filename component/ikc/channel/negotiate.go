package channel

import (
	"errors"
	"fmt"
	"strings"
)

// Protocol is an IKC negotiation dialogue, the value of the protocol option
// of POE::Component::IKC::Server, Client and ClientLite.
type Protocol string

const (
	// IKC0 is the one-line SETUP exchange, the default of every component.
	IKC0 Protocol = "IKC0"
	// IKC is the legacy HELLO/IAM/OK/DONE/FREEZER/WORLD/UP dialogue.
	IKC Protocol = "IKC"
)

// Role is which end of the connection a Negotiation plays.
type Role int

const (
	// ServerRole waits for the first line, as the channel of an accepted
	// connection does (POE::Component::IKC::Server).
	ServerRole Role = iota
	// ClientRole speaks first, as the channel of POE::Component::IKC::Client.
	ClientRole
	// LiteRole speaks first as POE::Component::IKC::ClientLite does: it
	// advertises only its name, offers one serializer and treats any
	// surprise as a fatal error.
	LiteRole
)

func (r Role) String() string {
	switch r {
	case ServerRole:
		return "server"
	case ClientRole:
		return "client"
	case LiteRole:
		return "lite"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Default limits of Options.
const (
	// DefaultMaxLineLength bounds one received negotiation line. Perl's
	// line filter allows 64 MiB; real lines are under a kilobyte.
	DefaultMaxLineLength = 64 << 10
	// DefaultMaxLines bounds the number of lines one negotiation may
	// receive. Perl has no bound and can stall forever.
	DefaultMaxLines = 1024
)

// Options configure a Negotiation: who the local kernel is, which
// serializers it accepts and which dialogue it starts with.
type Options struct {
	// Role is the end of the connection played.
	Role Role
	// Protocol is the dialogue to start with: IKC0 (the default, also
	// when empty) or IKC. Either side falls back as Perl does.
	Protocol Protocol
	// KernelID is the local kernel ID (spec 3.1), always advertised first.
	// Ignored by LiteRole, which is not a kernel.
	KernelID string
	// Name is the local kernel name given to Server/Client spawn, or the
	// ClientLite name. Optional for servers and clients, required for
	// LiteRole.
	Name string
	// Aliases are further local kernel names (the aliases option).
	Aliases []string
	// TransportName is the name derived from the socket (spec 3.2 item
	// 3): "<local ip>:<local port>" or "unix:<path>". Optional.
	TransportName string
	// SanityAlias is the local name for the peer appended to its names
	// when missing (spec 3.3): the configured "<ip>:<port>" on a client,
	// the peer address on a server. Optional.
	SanityAlias string
	// Serializers are the serializer names (the text after FREEZER)
	// usable locally, in order of preference. A client offers them in
	// this order; a server accepts the first of the client's list that
	// is here; LiteRole offers only the first. Required.
	Serializers []string
	// DefaultSerializer is what the legacy dialogue uses when no FREEZER
	// was agreed (POE::Filter::Reference's default). Empty means
	// "Storable" when it is in Serializers, else Serializers[0].
	DefaultSerializer string
	// PID is the process ID sent in SETUP.
	PID int
	// MaxLineLength bounds a received line; 0 means DefaultMaxLineLength.
	MaxLineLength int
	// MaxLines bounds the lines received; 0 means DefaultMaxLines.
	MaxLines int
	// Warn, when set, receives the warnings Perl IKC prints for lines it
	// tolerates (unexpected lines answered with NOT or ignored).
	Warn func(msg string)
}

// Result is what a completed negotiation established: what the channel
// passes to the responder's register and what it needs to switch to frames.
type Result struct {
	// Protocol is the dialogue that completed (after any fallback).
	Protocol Protocol
	// PeerID is the first name of the peer, its key in the routing tables:
	// its kernel ID, or a ClientLite's name.
	PeerID string
	// PeerAliases are the peer's other names in the order received, then
	// the sanity alias if it was not among them.
	PeerAliases []string
	// PeerPID is the PID of an IKC0 SETUP (0 when missing); HasPeerPID is
	// false after the legacy dialogue, which carries none.
	PeerPID    int
	HasPeerPID bool
	// Serializer is the name of the serializer both ends now use.
	Serializer string
	// KernelName is the channel's kernel_name: the first local name
	// advertised after the kernel ID (falls back to KernelID when none was
	// given). It fills the kernel of outgoing rsvp specifiers.
	KernelName string
	// LocalNames are the local names advertised after the kernel ID, in
	// the order [name, aliases..., transport name].
	LocalNames []string
	// RemoteName (LiteRole only) is the kernel ClientLite makes relative
	// specifiers point to: the first SETUP kernel name with IKC0, the
	// configured address (SanityAlias) with the legacy dialogue.
	RemoteName string
	// PingKernel (LiteRole only) is the first IAM name of the legacy
	// dialogue, the target of ClientLite's ping; empty after IKC0.
	PingKernel string
}

// Sentinel errors wrapped by *Error.
var (
	// ErrRefused: the peer refused us (NOT where no fallback exists, or a
	// serializer we cannot use).
	ErrRefused = errors.New("refused")
	// ErrUnexpected: a line that the role cannot continue after.
	ErrUnexpected = errors.New("unexpected line")
	// ErrLineTooLong: a line longer than Options.MaxLineLength.
	ErrLineTooLong = errors.New("line too long")
	// ErrTooManyLines: more than Options.MaxLines lines without finishing.
	ErrTooManyLines = errors.New("too many lines")
	// ErrFinished: Feed called after the negotiation completed or failed.
	ErrFinished = errors.New("negotiation already finished")
)

// Error is a failed negotiation: the role, dialogue and Perl phase it
// failed in, the line that failed it, and the reason.
type Error struct {
	Role     Role
	Protocol Protocol
	Phase    string
	Line     string
	Err      error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("ikc %s negotiation (%s, phase %s): %v", e.Role, e.Protocol, e.Phase, e.Err)
	if e.Line != "" {
		line := e.Line
		if len(line) > 80 {
			line = line[:80] + "..."
		}
		msg += fmt.Sprintf(" (line %q)", line)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// state is the phase a Negotiation waits in.
type state int

const (
	stSetupServer state = iota // IKC0 server, phase 010
	stSetupClient              // IKC0 client waiting for SETUP or NOT
	stSetupLite                // IKC0 ClientLite
	stServer000                // legacy server: waiting for HELLO
	stServer001                // legacy server: announcing its names
	stServer002                // legacy server: learning the client's names
	stServer003                // legacy server: FREEZER and WORLD
	stClient000                // legacy client: learning the server's names
	stClient001                // legacy client: announcing its names
	stClient002                // legacy client: proposing serializers
	stClient003                // legacy client: waiting for UP
	stLiteIAM                  // legacy ClientLite: IAM lines until DONE
	stLiteOK                   // legacy ClientLite: OK for its IAM
	stLiteFreezer              // legacy ClientLite: OK for its FREEZER
	stLiteUp                   // legacy ClientLite: UP for its WORLD
	stDone
	stFailed
)

var phases = [...]string{
	stSetupServer: "010", stSetupClient: "010", stSetupLite: "010",
	stServer000: "000", stServer001: "001", stServer002: "002", stServer003: "003",
	stClient000: "000", stClient001: "001", stClient002: "002", stClient003: "003",
	stLiteIAM: "1", stLiteOK: "2", stLiteFreezer: "3", stLiteUp: "4",
	stDone: "done", stFailed: "failed",
}

// Negotiation is the line-mode state machine of one IKC connection, for
// one role: the part of POE::Component::IKC::Channel (or ClientLite's
// connect) that runs before the socket switches to frames. It does no
// I/O: Start gives the lines to send first, Feed consumes one received
// line (without its terminator) and gives the lines to send in answer.
// Each line must be written with "\r\n" appended, in one write.
// A Negotiation is not safe for concurrent use.
type Negotiation struct {
	opts  Options
	proto Protocol
	st    state
	lines int
	err   error

	local     []string // [name, aliases..., transport]
	announce  []string // names still to announce (legacy), popped from the end
	peer      []string // peer names in order received
	peerPID   int
	hasPID    bool
	freezer   string // agreed serializer
	offered   int    // legacy client: serializers proposed so far
	pingName  string
	remote    string
	completed Result
}

// NewNegotiation checks opts and returns a Negotiation ready for Start.
// It fails when a name could not travel in a line (empty, or containing
// ',', ';', CR or LF), when no serializer is given, or when the protocol
// is neither IKC0 nor IKC.
func NewNegotiation(opts Options) (*Negotiation, error) {
	n := &Negotiation{opts: opts}
	switch opts.Protocol {
	case "", IKC0:
		n.proto = IKC0
	case IKC:
		n.proto = IKC
	default:
		// Perl takes any other value as the legacy protocol; a typo
		// should not silently change the dialogue.
		return nil, fmt.Errorf("ikc negotiation: unknown protocol %q (want IKC0 or IKC)", opts.Protocol)
	}
	if opts.Role < ServerRole || opts.Role > LiteRole {
		return nil, fmt.Errorf("ikc negotiation: unknown role %d", int(opts.Role))
	}
	if len(opts.Serializers) == 0 {
		return nil, errors.New("ikc negotiation: no serializer names")
	}
	for _, s := range opts.Serializers {
		if err := checkName("serializer", s); err != nil {
			return nil, err
		}
	}
	if n.opts.MaxLineLength <= 0 {
		n.opts.MaxLineLength = DefaultMaxLineLength
	}
	if n.opts.MaxLines <= 0 {
		n.opts.MaxLines = DefaultMaxLines
	}
	if n.opts.DefaultSerializer == "" {
		n.opts.DefaultSerializer = opts.Serializers[0]
		if n.accepts("Storable") {
			n.opts.DefaultSerializer = "Storable"
		}
	}
	if opts.Role == LiteRole {
		if err := checkName("name", opts.Name); err != nil {
			return nil, err
		}
		n.local = []string{opts.Name}
	} else {
		if err := checkName("kernel ID", opts.KernelID); err != nil {
			return nil, err
		}
		for _, a := range append(append([]string{opts.Name}, opts.Aliases...), opts.TransportName) {
			if a == "" {
				continue
			}
			if err := checkName("name", a); err != nil {
				return nil, err
			}
			n.local = append(n.local, a)
		}
	}
	n.st = n.initialState()
	return n, nil
}

func checkName(what, s string) error {
	if s == "" {
		return fmt.Errorf("ikc negotiation: empty %s", what)
	}
	if strings.ContainsAny(s, ",;\r\n") {
		return fmt.Errorf("ikc negotiation: %s %q contains ',', ';', CR or LF", what, s)
	}
	return nil
}

func (n *Negotiation) initialState() state {
	switch {
	case n.opts.Role == ServerRole && n.proto == IKC0:
		return stSetupServer
	case n.opts.Role == ServerRole:
		return stServer000
	case n.opts.Role == ClientRole && n.proto == IKC0:
		return stSetupClient
	case n.opts.Role == ClientRole:
		return stClient000
	case n.proto == IKC0:
		return stSetupLite
	default:
		return stLiteIAM
	}
}

// Start returns the lines the connecting side sends before it has read
// anything: a SETUP line (IKC0) or HELLO (legacy). A server sends nothing
// first, so it gets nil. Call it once, before Feed.
func (n *Negotiation) Start() []string {
	switch n.st {
	case stSetupClient, stSetupLite:
		return []string{n.setupLine(n.offer())}
	case stClient000, stLiteIAM:
		return []string{"HELLO"}
	}
	return nil
}

// Feed consumes one received line, without its terminator, and returns
// the lines to send in answer. When the line completes the negotiation,
// Done reports true and Result is valid; the caller then switches the
// connection to frames and hands any bytes already buffered after this
// line to the frame decoder. A failure returns the lines Perl would still
// send (e.g. NOT) together with an *Error; the Negotiation is then dead.
func (n *Negotiation) Feed(line string) ([]string, error) {
	if n.st == stDone || n.st == stFailed {
		if n.err != nil {
			return nil, n.err
		}
		return nil, n.fail(line, ErrFinished)
	}
	n.lines++
	if n.lines > n.opts.MaxLines {
		return nil, n.fail("", fmt.Errorf("%w: %d lines without finishing", ErrTooManyLines, n.opts.MaxLines))
	}
	if len(line) > n.opts.MaxLineLength {
		return nil, n.fail(line, fmt.Errorf("%w: %d bytes, limit %d", ErrLineTooLong, len(line), n.opts.MaxLineLength))
	}
	if line == "" {
		// Deviation: Perl answers an empty line with NOT in several
		// phases, which derails the dialogue; it is only ever produced
		// by a CR LF split across reads, so it is ignored here.
		return nil, nil
	}
	switch n.st {
	case stSetupServer:
		return n.setupServer(line)
	case stSetupClient:
		return n.setupClient(line)
	case stSetupLite:
		return n.setupLite(line)
	case stServer000, stServer001, stServer002, stServer003:
		return n.legacyServer(line)
	case stClient000, stClient001, stClient002, stClient003:
		return n.legacyClient(line)
	default:
		return n.legacyLite(line)
	}
}

// Done reports whether the negotiation completed successfully.
func (n *Negotiation) Done() bool { return n.st == stDone }

// Err returns the error that failed the negotiation, or nil.
func (n *Negotiation) Err() error { return n.err }

// Protocol returns the dialogue in use now (IKC after a fallback).
func (n *Negotiation) Protocol() Protocol { return n.proto }

// Phase returns the Perl name of the phase the negotiation waits in
// ("010" for IKC0, "000" to "003" for the legacy dialogue), "done" or
// "failed".
func (n *Negotiation) Phase() string { return phases[n.st] }

// Result returns what the negotiation established; ok is false until
// Done.
func (n *Negotiation) Result() (r Result, ok bool) {
	if n.st != stDone {
		return Result{}, false
	}
	return n.completed, true
}

func (n *Negotiation) fail(line string, err error) error {
	n.err = &Error{Role: n.opts.Role, Protocol: n.proto, Phase: phases[n.st], Line: line, Err: err}
	n.st = stFailed
	return n.err
}

func (n *Negotiation) warn(format string, args ...any) {
	if n.opts.Warn != nil {
		n.opts.Warn(fmt.Sprintf(format, args...))
	}
}

// accepts reports whether name is one of the local serializers.
func (n *Negotiation) accepts(name string) bool {
	for _, s := range n.opts.Serializers {
		if s == name {
			return true
		}
	}
	return false
}

// offer is the FREEZER list this side proposes.
func (n *Negotiation) offer() []string {
	if n.opts.Role == LiteRole {
		return n.opts.Serializers[:1]
	}
	return n.opts.Serializers
}

// finish records the result and marks the negotiation done.
func (n *Negotiation) finish() {
	r := Result{
		Protocol:   n.proto,
		Serializer: n.freezer,
		PeerPID:    n.peerPID,
		HasPeerPID: n.hasPID,
		LocalNames: append([]string(nil), n.local...),
		RemoteName: n.remote,
		PingKernel: n.pingName,
	}
	names := append([]string(nil), n.peer...)
	if a := n.opts.SanityAlias; a != "" && !contains(names, a) {
		names = append(names, a)
	}
	if len(names) > 0 {
		r.PeerID, r.PeerAliases = names[0], names[1:]
	}
	if len(n.local) > 0 {
		r.KernelName = n.local[0]
	} else {
		r.KernelName = n.opts.KernelID
	}
	n.completed = r
	n.st = stDone
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
