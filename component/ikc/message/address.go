package message

import (
	"fmt"
	"strconv"

	"github.com/poe-go/poe/component/ikc/specifier"
)

// Names IKC gives to its own sessions and states.
const (
	// Responder is the alias of the IKC responder session in every kernel.
	Responder = "IKC"
	// LiteSession is the session name a ClientLite uses in from and rsvp.
	LiteSession = "IKCLite"
	// ProxyState is the state of proxied messages (spec 10.4): the real
	// state and the arguments travel in params as [state, [args...]].
	ProxyState = "IKC:proxy"
	// RemoteErrorState, DoYouHaveState and PingState are the states the
	// responder always publishes.
	RemoteErrorState = "remote_error"
	DoYouHaveState   = "do_you_have"
	PingState        = "ping"
)

// Address is a specifier in the hash form IKC puts on the wire,
// {kernel, session, state}: the event of IKC-built messages, rsvp and from.
type Address struct {
	Kernel  string
	Session string
	State   string
	// SessionIsID marks a session that travels as an integer: the numeric
	// session ID of a caller that gave only a state name for its rsvp.
	SessionIsID bool
	// NoState marks a hash without a state key ({kernel, session}), as
	// in ClientLite's from and do_you_have's from. Replies to such a from
	// use the event name as the state (spec 10.5).
	NoState bool
}

// SessionID returns an Address whose session is the numeric session ID id,
// as Perl IKC's call builds rsvp when given a bare state name.
func SessionID(kernel string, id int64, state string) Address {
	return Address{Kernel: kernel, Session: strconv.FormatInt(id, 10), State: state, SessionIsID: true}
}

// Value returns the hash as the serializer data model holds it. A session
// marked SessionIsID is an int64.
func (a Address) Value() map[string]any {
	m := make(map[string]any, 3)
	m["kernel"] = a.Kernel
	m["session"] = a.Session
	if id, ok := a.sessionID(); ok {
		m["session"] = id
	}
	if a.hasState() {
		m["state"] = a.State
	}
	return m
}

// sessionID is the session as the integer it is sent as, when it is one:
// marked SessionIsID and a number.
func (a *Address) sessionID() (int64, bool) {
	if !a.SessionIsID {
		return 0, false
	}
	id, err := strconv.ParseInt(a.Session, 10, 64)
	return id, err == nil
}

// hasState says whether the hash has a state key: always, unless the
// address was read without one and still has none.
func (a *Address) hasState() bool { return !a.NoState || a.State != "" }

// Specifier returns the address as a parsed specifier.
func (a Address) Specifier() specifier.Specifier {
	return specifier.Specifier{Kernel: a.Kernel, Session: a.Session, State: a.State}
}

// String formats the address as specifier_name does ("poe://k/s/e").
func (a Address) String() string { return a.Specifier().String() }

// AddressOf turns a parsed specifier into its wire hash.
func AddressOf(s specifier.Specifier) Address {
	return Address{Kernel: s.Kernel, Session: s.Session, State: s.State}
}

// AddressFromValue reads a {kernel, session, state} hash as Perl IKC
// does: missing or undef keys are "", an integer session is a session ID,
// nothing is validated. It fails on anything but a hash of scalars.
func AddressFromValue(v any) (Address, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Address{}, fmt.Errorf("want a hash {kernel, session, state}, got %s", describe(v))
	}
	var a Address
	var err error
	if a.Kernel, err = scalarKey(m, "kernel"); err != nil {
		return Address{}, err
	}
	if a.Session, err = scalarKey(m, "session"); err != nil {
		return Address{}, err
	}
	switch m["session"].(type) {
	case int64, int, int32, uint64, uint32:
		a.SessionIsID = true
	}
	_, has := m["state"]
	a.NoState = !has
	if a.State, err = scalarKey(m, "state"); err != nil {
		return Address{}, err
	}
	return a, nil
}

func scalarKey(m map[string]any, key string) (string, error) {
	s, err := specifier.Scalar(m[key])
	if err != nil {
		return "", fmt.Errorf("key %q: %v", key, err)
	}
	return s, nil
}

// describe names the shape of a value for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "undef"
	case map[string]any:
		return "a hash"
	case []any:
		return "an array"
	case string:
		return "a string"
	}
	return fmt.Sprintf("a %T", v)
}
