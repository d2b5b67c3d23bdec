package responder

import (
	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
)

// The typed API: the IKC session's states as Go methods. Each runs inside
// the IKC session with the calling session (the active one; the kernel's
// own session outside handlers) as SENDER, exactly as a post to "IKC"
// would, but synchronously and with Go errors. Loop-only: call them from
// a handler, or before the kernel runs.

// Post is IKC/post: it sends params to the state spec names
// ("poe://Kernel/session/state"; a spec not starting with "poe:" is
// prefixed "poe://", so its first part is the kernel) and returns the
// number of kernels it went to. The caller's first published alias
// travels as from, so the handler can answer through its SENDER.
func (r *Responder) Post(spec string, params any) (int, error) {
	o := r.getOp(opPost)
	o.spec, o.params, o.err = spec, params, ErrShutdown
	r.runOp(o)
	n, err := o.n, o.err
	r.putOp(o)
	return n, err
}

// Call is IKC/call: like Post, and the remote handler's return value is
// posted to rsvp: "poe:state" (or "state") names a state of the calling
// session, "poe:/session/state" another local session. The answer may be
// posted once by the remote kernel without being published. When the
// connection closes before the answer, the monitors get error with
// operation "call" under the remote kernel's ID. A handler that returns
// nil sends no answer.
func (r *Responder) Call(spec string, params any, rsvp string) error {
	o := r.getOp(opCall)
	o.spec, o.params, o.rsvp, o.err = spec, params, rsvp, ErrShutdown
	r.runOp(o)
	err := o.err
	r.putOp(o)
	return err
}

// Send is IKC/raw_message: m is sent as it is, routed by its event, with
// the calling session's published alias as from unless m has one.
func (r *Responder) Send(m message.Message) (int, error) {
	var n int
	var err error = ErrShutdown
	r.within(func(e *kernel.Event) { n, err = r.send(m, e.Sender, false) })
	return n, err
}

// Publish is IKC/publish: it makes states of session reachable from
// remote kernels. An empty session means every alias of the calling
// session (its ID when it has none).
func (r *Responder) Publish(session string, states ...string) {
	r.within(func(e *kernel.Event) { r.publish(e.Sender, session, states) })
}

// Retract is IKC/retract: it withdraws states of session (all of them
// when none are given; an empty session as for Publish). It reports
// whether anything was published. Remote subscribers are not told.
func (r *Responder) Retract(session string, states ...string) bool {
	ok := false
	r.within(func(e *kernel.Event) { ok = r.retract(e.Sender, session, states, len(states) == 0) })
	return ok
}

// Published is IKC/published with an alias: the states it published,
// sorted.
func (r *Responder) Published(session string) []string {
	var out []string
	r.within(func(*kernel.Event) { out = r.publishedStates(session) })
	return out
}

// PublishedAll is IKC/published without an alias: every published alias
// (IKC included) with its states.
func (r *Responder) PublishedAll() map[string][]string {
	var out map[string][]string
	r.within(func(*kernel.Event) { out = r.publishedAll() })
	return out
}

// Subscribe is IKC/subscribe: for each spec ("poe://Kernel/session") it
// asks the remote kernel whether the session is published and, if so,
// creates a proxy session aliased "poe://Kernel/session" (and "session"
// when free) that forwards every event posted to it. callback is a state
// of the calling session, posted once with ARG0 the accepted specs
// ([]string), or a func([]string) run on the loop, or nil. "poe://*/S"
// asks every connected kernel and makes one proxy per kernel that has S,
// aliased with that kernel's ID. An empty list does nothing, not even the
// callback, as in Perl.
func (r *Responder) Subscribe(specs []string, callback any) {
	r.within(func(e *kernel.Event) { r.subscribe(e.Sender, specs, callback) })
}

// Unsubscribe is IKC/unsubscribe: the proxies of specs (their
// "poe://Kernel/session" aliases) go away; monitors get unsubscribe.
func (r *Responder) Unsubscribe(specs ...string) {
	r.within(func(*kernel.Event) { r.unsubscribe(specs) })
}

// Monitor is IKC/monitor: the calling session watches name ("*", a kernel
// name or alias, or a specifier whose kernel part is used). events maps
// the event types (MonitorRegister, ...) to states of the caller, each
// posted with ARG0 name, ARG1 the kernel reported, ARG2 1 for a kernel ID
// (nil for an alias), ARG3 data, then the event's own arguments. Empty
// events stop watching.
func (r *Responder) Monitor(name string, events map[string]string, data any) {
	r.within(func(e *kernel.Event) { r.setMonitor(e.Sender, name, events, data) })
}

// SetDefault is IKC/default: the kernel (name, alias or ID) that
// specifiers without a kernel go to. It reports false for an unknown one.
func (r *Responder) SetDefault(name string) bool {
	ok := false
	r.within(func(*kernel.Event) { ok = r.setDefault(name) })
	return ok
}

// Kernels returns the registered kernel IDs, each with its aliases (the
// local kernel included once RegisterLocal ran).
func (r *Responder) Kernels() map[string][]string {
	out := map[string][]string{}
	r.within(func(*kernel.Event) {
		for id := range r.channels {
			out[id] = append([]string{}, r.aliases[id]...)
		}
	})
	return out
}

// Shutdown is IKC/shutdown (spec 13.9): the "IKC" alias goes, every
// channel closes, "*" monitors get shutdown, pending subscriptions are
// dropped and proxies go away. A later Spawn makes a new responder.
func (r *Responder) Shutdown() {
	r.within(func(e *kernel.Event) { r.shutdown(e.Kernel) })
}
