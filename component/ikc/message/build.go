package message

import (
	"strconv"

	"github.com/poe-go/poe/component/ikc/specifier"
)

// Phase names the step of request handling that failed, as reported in a
// remote_error (spec 11) and in the monitor operations local-<phase> and
// remote-<phase>.
type Phase string

const (
	// PhaseRequest is a record that is not a request: not a hash, an
	// event that is not a specifier, or a proxied event without its
	// arguments.
	PhaseRequest Phase = "request"
	// PhaseCheck is a request refused: its session is not published to
	// remote kernels, or its state is not among the published ones.
	PhaseCheck Phase = "check"
	// PhaseResolve is a request for a session that does not exist here.
	PhaseResolve Phase = "resolve"
	// PhaseInvocation is a request whose post or call failed.
	PhaseInvocation Phase = "invocation"
)

// Post builds the record of IKC/post (spec 10.1): target, prefixed with
// "poe://" when it does not start with "poe:", and params; from is set
// when the posting session has a published alias, else nil.
func Post(target string, params any, from *Address) Message {
	return Message{Event: specifier.Target(target), Params: params, From: from}
}

// Call builds the record of IKC/call (spec 10.2): a post with the rsvp
// the callee's return value is posted to. Use SessionID for an rsvp
// naming the caller by session ID; the sending channel fills an empty
// rsvp kernel with its kernel name (FillKernel).
func Call(target string, params any, rsvp Address, from *Address) Message {
	m := Post(target, params, from)
	m.RSVP = &rsvp
	return m
}

// FillKernel sets an empty rsvp kernel to kernelName, as the sending
// channel does with its kernel_name before writing a call (spec 12.5).
func (m *Message) FillKernel(kernelName string) {
	if m.RSVP != nil && m.RSVP.Kernel == "" {
		m.RSVP.Kernel = kernelName
	}
}

// Response builds the answer to a call (spec 10.3, 10.9): the event is
// the request's rsvp hash verbatim and params the return value (in list
// context, the array of all returned values).
func Response(rsvp Address, result any, from *Address) Message {
	return Message{EventAddr: &rsvp, Params: result, From: from}
}

// Proxied builds what a proxy session for kernel/session sends when state
// is posted to it with args (spec 10.4): the event state is IKC:proxy and
// params is [state, [args...]].
func Proxied(kernel, session, state string, args []any, from *Address) Message {
	if args == nil {
		args = []any{}
	}
	return Message{
		EventAddr: &Address{Kernel: kernel, Session: session, State: ProxyState},
		Params:    []any{state, args},
		From:      from,
	}
}

// ThunkReply builds what a request's thunk session (the handler's
// SENDER) sends back when state is posted to it with args (spec 10.5).
// to is the request's from: when it has a state the reply is proxied to
// it as [state, [args]]; when it has none (ClientLite) the event name
// becomes the state and the args are the params.
func ThunkReply(to Address, state string, args []any, from *Address) Message {
	if args == nil {
		args = []any{}
	}
	if to.NoState {
		return Message{
			EventAddr: &Address{Kernel: to.Kernel, Session: to.Session, SessionIsID: to.SessionIsID, State: state},
			Params:    args,
			From:      from,
		}
	}
	return Message{EventAddr: &to, Params: []any{state, args}, From: from}
}

// DoYouHave builds a subscription request (spec 10.6) for spec, sent by
// the kernel localID to the IKC responder of spec.Kernel; receipt is the
// opaque state the answer must be posted to.
func DoYouHave(spec Address, localID, receipt string) Message {
	spec.NoState = false
	return Message{
		EventAddr: &Address{Kernel: spec.Kernel, Session: Responder, State: DoYouHaveState},
		Params:    []any{spec.Value(), localID},
		From:      &Address{Kernel: localID, Session: Responder, NoState: true},
		RSVP:      &Address{Kernel: localID, Session: Responder, State: receipt},
	}
}

// ReceiptAccepted builds the positive answer to do_you_have (spec 10.6):
// params [spec, localID], where spec's kernel was set to localID only if
// it was empty.
func ReceiptAccepted(rsvp, spec Address, localID string, from *Address) Message {
	if spec.Kernel == "" {
		spec.Kernel = localID
	}
	spec.NoState = false
	return Response(rsvp, []any{spec.Value(), localID}, from)
}

// ReceiptRefused builds the negative answer to do_you_have: params is the
// string "Refused subscription <spec>".
func ReceiptRefused(rsvp Address, spec string, from *Address) Message {
	return Response(rsvp, "Refused subscription "+spec, from)
}

// RemoteError builds the remote_error record (spec 10.7) sent to the
// errors_to address of a failed request: is_error 1, params [text,
// kernel, phase] where kernel is the kernel part of the failed request's
// event, or undef when kernel is nil. It has no from.
func RemoteError(errorsTo Address, text string, kernel *string, phase Phase) Message {
	var k any
	if kernel != nil {
		k = *kernel
	}
	return Message{EventAddr: &errorsTo, Params: []any{text, k, string(phase)}, IsError: true}
}

// ErrorsTo is the address a receiving channel sets as a record's
// errors_to: the IKC responder's remote_error state of the peer.
func ErrorsTo(peerID string) Address {
	return Address{Kernel: peerID, Session: Responder, State: RemoteErrorState}
}

// LiteFrom is the from of every ClientLite record: {kernel => name,
// session => IKCLite}, without a state.
func LiteFrom(name string) *Address {
	return &Address{Kernel: name, Session: LiteSession, NoState: true}
}

// LiteResponseState is the rsvp state of ClientLite's n-th request
// ("response<n>").
func LiteResponseState(n int) string { return "response" + strconv.Itoa(n) }

// LitePost builds ClientLite's post (spec 10.8). target must already be
// made relative to the remote (specifier.Relative).
func LitePost(target string, params any, name string) Message {
	return Message{Event: target, Params: params, From: LiteFrom(name)}
}

// LiteCall builds ClientLite's call: rsvp {name, IKCLite, response<n>}
// and wantarray "1" when list, "" otherwise.
func LiteCall(target string, params any, name string, n int, list bool) Message {
	m := LitePost(target, params, name)
	m.RSVP = &Address{Kernel: name, Session: LiteSession, State: LiteResponseState(n)}
	m.Want = WantScalar
	if list {
		m.Want = WantList
	}
	return m
}

// LitePostRespond builds ClientLite's post_respond: a post whose params
// are [data, rsvp hash], for the remote handler to answer through IKC/post.
func LitePostRespond(target string, data any, name string, n int) Message {
	rsvp := Address{Kernel: name, Session: LiteSession, State: LiteResponseState(n)}
	return LitePost(target, []any{data, rsvp.Value()}, name)
}

// LitePing builds ClientLite's ping: a call of poe://<kernel>/IKC/ping
// with params "PING" and rsvp {name, IKC, pong}, without from.
func LitePing(kernel, name string) Message {
	return Message{
		Event:  specifier.Specifier{Kernel: kernel, Session: Responder, State: PingState}.String(),
		Params: "PING",
		RSVP:   &Address{Kernel: name, Session: Responder, State: "pong"},
	}
}

// Kind classifies a record for routing and logging.
type Kind int

const (
	KindPost        Kind = iota // a plain post: no rsvp, event not proxied
	KindCall                    // a request with an rsvp
	KindResponse                // addressed by hash without rsvp: a call's answer, a receipt, or a post to an rsvp or a ClientLite from
	KindProxied                 // event state IKC:proxy: a proxied post or a thunk reply
	KindDoYouHave               // a subscription request
	KindRemoteError             // is_error set
)

var kindNames = [...]string{"post", "call", "response", "proxied", "do_you_have", "remote_error"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Kind tells which kind of record m is, from its shape alone.
func (m Message) Kind() Kind {
	t, err := m.Target()
	switch {
	case m.IsError:
		return KindRemoteError
	case err == nil && t.State == ProxyState:
		return KindProxied
	case err == nil && t.Session == Responder && t.State == DoYouHaveState:
		return KindDoYouHave
	case m.RSVP != nil:
		return KindCall
	case m.EventAddr != nil:
		return KindResponse
	}
	return KindPost
}
