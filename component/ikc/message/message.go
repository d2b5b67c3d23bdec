// Package message is the IKC message record (spec section 10): the Perl
// hash every frame carries, as a Go struct with conversion to and from
// the serializer data model (map[string]any, []any, int64, string, nil).
//
// Constructors build each kind of record exactly as Perl IKC's responder
// and ClientLite do; FromValue reads any record a peer may send and
// rejects malformed ones with an error instead of dying as Perl does.
package message

import (
	"errors"
	"fmt"
	"maps"

	"github.com/poe-go/poe/component/ikc/specifier"
)

// Want is the calling context a ClientLite call asks for (the wantarray
// key).
type Want int

const (
	// WantNone: no wantarray key, the record is not a ClientLite call.
	WantNone Want = iota
	// WantScalar: wantarray "" — scalar context, the reply is the value.
	WantScalar
	// WantList: wantarray "1" — list context, the reply is an array.
	WantList
)

// Message is one IKC record.
type Message struct {
	// Event is the destination as a string specifier ("poe://k/s/e", what
	// users write); it is used when EventAddr is nil.
	Event string
	// EventAddr is the destination in hash form, as IKC-built records
	// (responses, proxied posts, receipts, errors) carry it.
	EventAddr *Address
	// Params is the payload: any value of the data model.
	Params any
	// RSVP is where a call's return value must be posted; nil for posts.
	RSVP *Address
	// From is the sender, present when it has a published alias (and
	// always for ClientLite); nil when absent.
	From *Address
	// Want is ClientLite's wantarray.
	Want Want
	// IsError marks a remote_error record; nobody answers an error.
	IsError bool
	// Extra keeps any other keys of a received record, so a raw_message
	// can be forwarded unchanged. errors_to and call are never kept: the
	// receiving side sets them itself and must not trust the wire.
	Extra map[string]any
}

// ErrMalformed is wrapped by every error FromValue returns.
var ErrMalformed = errors.New("malformed IKC record")

// FromValue reads a record thawed by a serializer. It accepts event as a
// string or a hash, session as a string or an integer, params of any
// shape, and ignores unknown keys (kept in Extra); it fails, never
// panics, on anything Perl IKC would die on or could not route: a
// top-level value that is not a hash, no event, an event, rsvp or from of
// the wrong shape, or a wantarray or is_error that is not a scalar.
// An event string is kept as is even when it is not a valid specifier:
// the responder answers that with a remote_error (Target reports it).
func FromValue(v any) (Message, error) {
	h, ok := v.(map[string]any)
	if !ok {
		return Message{}, fmt.Errorf("%w: the record is %s, not a hash", ErrMalformed, describe(v))
	}
	var m Message
	switch ev := h["event"].(type) {
	case string:
		m.Event = ev
	case map[string]any:
		a, err := AddressFromValue(ev)
		if err != nil {
			return Message{}, fmt.Errorf("%w: event: %v", ErrMalformed, err)
		}
		m.EventAddr = &a
	default:
		return Message{}, fmt.Errorf("%w: event is %s, want a specifier string or hash", ErrMalformed, describe(ev))
	}
	m.Params = h["params"]
	var err error
	if m.RSVP, err = optionalAddress(h, "rsvp"); err != nil {
		return Message{}, err
	}
	if m.From, err = optionalAddress(h, "from"); err != nil {
		return Message{}, err
	}
	if w, has := h["wantarray"]; has && w != nil {
		list, err := truth(w)
		if err != nil {
			return Message{}, fmt.Errorf("%w: wantarray: %v", ErrMalformed, err)
		}
		m.Want = WantScalar
		if list {
			m.Want = WantList
		}
	}
	if m.IsError, err = truth(h["is_error"]); err != nil {
		return Message{}, fmt.Errorf("%w: is_error: %v", ErrMalformed, err)
	}
	for k, v := range h {
		switch k {
		case "event", "params", "rsvp", "from", "wantarray", "is_error":
			continue
		}
		if dropped(k) {
			continue
		}
		if m.Extra == nil {
			m.Extra = map[string]any{}
		}
		m.Extra[k] = v
	}
	return m, nil
}

func optionalAddress(h map[string]any, key string) (*Address, error) {
	v, has := h[key]
	if !has || v == nil {
		return nil, nil
	}
	a, err := AddressFromValue(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, key, err)
	}
	return &a, nil
}

// truth is Perl's truth of a scalar: undef, "", "0" and 0 are false.
func truth(v any) (bool, error) {
	s, err := specifier.Scalar(v)
	if err != nil {
		return false, err
	}
	return perlTrue(s), nil
}

// perlTrue is Perl's truth of a string: "" and "0" are false. It takes
// the string's bytes too, which it compares without converting them.
func perlTrue[T string | []byte](s T) bool { return len(s) != 0 && string(s) != "0" }

// dropped says whether a record's key is one IKC drops on receipt
// (errors_to and call); other keys it does not know are kept in Extra.
func dropped(k string) bool { return k == "errors_to" || k == "call" }

// Value returns the record as the hash Perl builds, ready to freeze:
// params is always present (undef when nil), rsvp and from only when set,
// wantarray as "" or "1", is_error as the integer 1.
func (m Message) Value() map[string]any {
	h := make(map[string]any, 4+len(m.Extra))
	maps.Copy(h, m.Extra)
	if m.EventAddr != nil {
		h["event"] = m.EventAddr.Value()
	} else {
		h["event"] = m.Event
	}
	h["params"] = m.Params
	if m.RSVP != nil {
		h["rsvp"] = m.RSVP.Value()
	}
	if m.From != nil {
		h["from"] = m.From.Value()
	}
	switch m.Want {
	case WantScalar:
		h["wantarray"] = ""
	case WantList:
		h["wantarray"] = "1"
	}
	if m.IsError {
		h["is_error"] = int64(1)
	}
	return h
}

// Target parses the destination in either form, as the responder's
// request does before routing (spec 11, step 2).
func (m Message) Target() (specifier.Specifier, error) {
	if m.EventAddr != nil {
		return m.EventAddr.Specifier(), nil
	}
	return specifier.Parse(m.Event)
}

// EventName formats the destination as specifier_name does, for error
// messages ("Request <event>").
func (m Message) EventName() string {
	if m.EventAddr != nil {
		return m.EventAddr.String()
	}
	return m.Event
}

// Unproxy splits the params of a proxied record (state IKC:proxy, spec
// 10.4) into the real state and its arguments. It fails when params is
// not [state, [args...]].
func (m Message) Unproxy() (state string, args []any, err error) {
	p, ok := m.Params.([]any)
	if !ok || len(p) < 1 {
		return "", nil, fmt.Errorf("%w: proxied params are %s, want [state, [args]]", ErrMalformed, describe(m.Params))
	}
	state, err = specifier.Scalar(p[0])
	if err != nil {
		return "", nil, fmt.Errorf("%w: proxied state: %v", ErrMalformed, err)
	}
	if len(p) < 2 || p[1] == nil {
		return state, nil, nil
	}
	args, ok = p[1].([]any)
	if !ok {
		return "", nil, fmt.Errorf("%w: proxied arguments are %s, want an array", ErrMalformed, describe(p[1]))
	}
	return state, args, nil
}

// ErrorReport reads the params of a remote_error record (spec 10.7):
// the message, the kernel part of the failed request (hasKernel false
// when it was undef) and the phase.
func (m Message) ErrorReport() (text, kernel string, hasKernel bool, phase string, err error) {
	p, ok := m.Params.([]any)
	if !ok || len(p) != 3 {
		return "", "", false, "", fmt.Errorf("%w: remote_error params are %s, want [message, kernel, phase]", ErrMalformed, describe(m.Params))
	}
	if text, err = specifier.Scalar(p[0]); err == nil {
		if kernel, err = specifier.Scalar(p[1]); err == nil {
			phase, err = specifier.Scalar(p[2])
		}
	}
	if err != nil {
		return "", "", false, "", fmt.Errorf("%w: remote_error params: %v", ErrMalformed, err)
	}
	return text, kernel, p[1] != nil, phase, nil
}
