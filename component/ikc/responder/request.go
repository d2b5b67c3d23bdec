package responder

import (
	"fmt"
	"strings"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/kernel"
)

// request runs one record received from peer (spec 11). It is the shared
// path of remote channels and of the local kernel pseudo-channel.
func (r *Responder) request(peer string, m message.Message) {
	if r.shut {
		return
	}
	target, err := r.target(m.EventAddr, m.Event)
	if err != nil {
		r.requestError(peer, &m, "", fmt.Sprintf("Invalid specifier %q", m.Event), message.PhaseRequest, false)
		return
	}
	rkernel := target.Kernel
	state := target.State
	var args []any // a proxied record's arguments; else the one argument is params
	proxied := state == message.ProxyState
	if proxied {
		if state, args, err = m.Unproxy(); err != nil {
			r.requestError(peer, &m, rkernel, err.Error(), message.PhaseRequest, true)
			return
		}
	}
	// From here on an error names the state the request is for.
	fail := func(text string, phase message.Phase) {
		r.requestError(peer, named(&m, target, state, proxied), rkernel, text, phase, true)
	}
	if text, ok := r.permitted(peer, target.Session, state); !ok {
		fail(text, message.PhaseCheck)
		return
	}
	dest := r.k.AliasResolveName(target.Session)
	if dest == nil || dest.IsKernel() {
		fail(fmt.Sprintf("Unknown session '%s'", target.Session), message.PhaseResolve)
		return
	}
	prev := r.curPeer
	r.curPeer = peer
	var result any
	if proxied {
		if target.Args != "" {
			args = append(args, target.Args)
		}
		result, err = r.thunks.invoke(m.From, dest, state, handlerArgs{proxied: true, list: args})
	} else {
		result, err = r.thunks.invoke(m.From, dest, state, handlerArgs{params: m.Params, extra: target.Args})
	}
	r.curPeer = prev
	if err != nil {
		fail(err.Error(), message.PhaseInvocation)
		return
	}
	if m.RSVP == nil {
		return
	}
	if m.Want == message.WantList {
		list, isList := result.([]any)
		if !isList && result != nil {
			list = []any{result}
		}
		if len(list) == 0 {
			return
		}
		result = list
	} else if result == nil {
		return
	}
	// message.Response, without copying the rsvp: send copies what it
	// sends.
	r.send(message.Message{EventAddr: m.RSVP, Params: result}, dest, false)
}

// named is m as an error report names it: a proxied request under its
// real state ("poe://K/S/state", not ".../IKC:proxy"), as Perl's
// _error_response names $to once _req_args has put the real state in
// it. Only error paths call it.
func named(m *message.Message, target specifier.Specifier, state string, proxied bool) *message.Message {
	if !proxied {
		return m
	}
	c := *m
	target.State = state
	c.EventAddr, c.Event = nil, target.String()
	return &c
}

// permitted is the check phase: a one-shot call permission for
// session/state, else the publication tables.
func (r *Responder) permitted(peer, session, state string) (string, bool) {
	if r.revoke(session, state) {
		r.answered(peer, session, state)
		return "", true
	}
	pub := r.published[session]
	if len(pub) == 0 {
		return fmt.Sprintf("Session '%s' is not available for remote kernels", session), false
	}
	if !pub[state] {
		return fmt.Sprintf("Session '%s' has not published state '%s'", session, state), false
	}
	return "", true
}

// requestError reports a failed request: error local-<phase> to the local
// monitors (under the kernel the request named), then, unless the record was
// itself an error, a remote_error to the peer's responder. hasKernel tells
// whether rkernel is known (Perl's undef otherwise).
func (r *Responder) requestError(peer string, m *message.Message, rkernel, text string, phase message.Phase, hasKernel bool) {
	text = strings.TrimRight(text, "\n")
	if m != nil {
		text += ".  Request " + m.EventName()
		if m.From != nil {
			text += " sent by " + m.From.String()
		}
	}
	// Perl's _error_response informs the monitors under rkernel, the
	// kernel the request named ('*' when it named none), not under the
	// local kernel's ID: a request to poe://Srv/... gives one error
	// about "Srv", not one per name of the local kernel.
	name := rkernel
	if !hasKernel || name == "" || name == "0" {
		name = "*"
	}
	r.informError(name, "local-"+string(phase), text)
	if m != nil && m.IsError {
		return
	}
	var kp *string
	if hasKernel {
		kp = &rkernel
	}
	r.send(message.RemoteError(message.ErrorsTo(peer), text, kp, phase), nil, false)
}

// stateRemoteError is IKC/remote_error: a peer failed one of our requests.
// Monitors get error remote-<phase> under the kernel the failed request
// named (or the peer, when it named none).
func (r *Responder) stateRemoteError(e *kernel.Event) any {
	p, ok := e.Arg(0).([]any)
	if !ok || len(p) < 3 {
		r.warn("remote_error with params %s", describe(e.Arg(0)))
		return 0
	}
	text := strings.TrimRight(scalarString(p[0]), "\n")
	name := scalarString(p[1])
	if name == "" {
		name = r.curPeer
	}
	if name == "" {
		name = "*"
	}
	op := "remote-" + scalarString(p[2])
	n := r.inform(name, MonitorError, op, text)
	if n == 0 {
		r.warn("%s: %s", op, text)
	}
	return n
}
