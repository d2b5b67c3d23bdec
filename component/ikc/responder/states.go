package responder

import (
	"fmt"
	"sort"
	"time"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/kernel"
)

// The IKC session's states: the Perl calling convention
// (k.Post("IKC", state, args...) or k.Call). Each uses SENDER as the
// session that asked.

// statePost is IKC/post: ARG0 the target specifier, ARG1 the params.
// It returns the number of kernels the record went to.
func (r *Responder) statePost(e *kernel.Event) any {
	m, err := postRecord(e.Arg(0), e.Arg(1))
	if err != nil {
		r.warn("post: %v", err)
		return 0
	}
	n, _ := r.send(m, e.Sender, false)
	return n
}

// stateCall is IKC/call: ARG0 the target, ARG1 the params, ARG2 the rsvp
// specifier the answer is posted to ("poe:state" means SENDER's state),
// and, a Go extension, an optional ARG3 time.Duration: the call's timeout
// (see WithCallTimeout). It returns nothing, as Perl's call does.
func (r *Responder) stateCall(e *kernel.Event) any {
	d, _ := e.Arg(3).(time.Duration) // ARG3, a Go extension: the call's timeout
	if err := r.callWithin(e.Sender, e.Arg(0), e.Arg(1), e.Arg(2), d); err != nil {
		r.warn("call: %v", err)
	}
	return nil
}

// call is IKC/call's work: the record of a post of params to target,
// sent with its answer going to rsvp (see rsvpSpec).
func (r *Responder) call(sender *kernel.Session, target, params, rsvp any) error {
	m, err := postRecord(target, params)
	if err != nil {
		return err
	}
	spec, err := rsvpSpec(rsvp)
	return r.sendCall(sender, m, spec, err, new(message.Address))
}

// callSpec is call for the string target and rsvp of o, the typed API's:
// no boxing on the way, and the rsvp address lives in o.
func (r *Responder) callSpec(sender *kernel.Session, o *op) error {
	spec, err := r.parse(o.rsvp)
	return r.sendCall(sender, message.Post(o.spec, o.params, nil), spec, err, &o.addr)
}

// sendCall sends m as a call whose answer goes to rsvp (specErr when it
// could not be read), tracking it until the answer comes. The rsvp
// address is made in *addr, which the record points to: the caller picks
// where it lives, so the typed API's path allocates none.
func (r *Responder) sendCall(sender *kernel.Session, m message.Message, rsvp specifier.Specifier, specErr error, addr *message.Address) error {
	a, err := rsvpOf(sender, rsvp, specErr)
	if err != nil {
		return err
	}
	*addr = a
	m.RSVP = addr
	_, err = r.send(m, sender, true)
	return err
}

// postRecord builds the record of a post to target: a string specifier
// (prefixed "poe://" unless it starts with "poe:"), a Specifier or a hash.
func postRecord(target, params any) (message.Message, error) {
	switch t := target.(type) {
	case string:
		return message.Post(t, params, nil), nil
	case specifier.Specifier:
		a := message.AddressOf(t)
		return message.Message{EventAddr: &a, Params: params}, nil
	case message.Address:
		return message.Message{EventAddr: &t, Params: params}, nil
	case map[string]any:
		a, err := message.AddressFromValue(t)
		if err != nil {
			return message.Message{}, fmt.Errorf("%w: %v", ErrBadSpecifier, err)
		}
		return message.Message{EventAddr: &a, Params: params}, nil
	}
	return message.Message{}, fmt.Errorf("%w: target is %s", ErrBadSpecifier, describe(target))
}

// rsvpSpec reads a call's rsvp: a string specifier, a Specifier, an
// Address or a {kernel, session, state} hash. rsvpOf makes the address it
// names.
func rsvpSpec(rsvp any) (specifier.Specifier, error) {
	switch x := rsvp.(type) {
	case string:
		return specifier.Parse(x)
	case specifier.Specifier:
		return x, nil
	case message.Address:
		return x.Specifier(), nil
	case map[string]any:
		// Perl's call reads its rsvp with specifier_parse, which takes a
		// hash as well as a string; the target already could be one.
		a, err := message.AddressFromValue(x)
		if err != nil {
			return specifier.Specifier{}, err
		}
		return a.Specifier(), nil
	}
	return specifier.Specifier{}, fmt.Errorf("rsvp is %s", describe(rsvp))
}

// rsvpOf is the address of a call's rsvp once its specifier is read (err
// when it could not be): its session defaults to the caller's session ID
// (sent as an integer, as Perl does) and its kernel, when empty, the
// sending channel fills in.
func rsvpOf(sender *kernel.Session, spec specifier.Specifier, err error) (message.Address, error) {
	if err == nil && spec.State == "" {
		err = fmt.Errorf("rsvp %q names no state", spec.String())
	}
	if err != nil {
		return message.Address{}, fmt.Errorf("%w: %v", ErrBadSpecifier, err)
	}
	if spec.Session == "" {
		id := int64(0)
		if sender != nil {
			id = int64(sender.ID())
		}
		return message.SessionID(spec.Kernel, id, spec.State), nil
	}
	return message.AddressOf(spec), nil
}

// statePost2 is IKC/post2: ARG0 the target, ARG1 the session to send as
// (its published alias becomes from), ARG2 the params.
func (r *Responder) statePost2(e *kernel.Event) any {
	m, err := postRecord(e.Arg(0), e.Arg(2))
	if err != nil {
		r.warn("post2: %v", err)
		return 0
	}
	return r.sendAs(e, m)
}

// stateRawMessage is IKC/raw_message: ARG0 a record built by the caller (a
// message.Message, *message.Message or a record hash), ARG1 the session it
// is sent as (SENDER when nil). It returns the number of kernels reached.
func (r *Responder) stateRawMessage(e *kernel.Event) any {
	var m message.Message
	switch x := e.Arg(0).(type) {
	case message.Message:
		m = x
	case *message.Message:
		if x != nil {
			m = *x
		}
	default:
		var err error
		if m, err = message.FromValue(x); err != nil {
			r.warn("raw_message: %v", err)
			return 0
		}
	}
	return r.sendAs(e, m)
}

// sendAs sends m as the session e's ARG1 names (an alias, ID or
// session), or as e's SENDER when it names none, as post2 and
// raw_message do, and returns the number of kernels reached.
func (r *Responder) sendAs(e *kernel.Event, m message.Message) int {
	sender := e.Sender
	if s := r.k.AliasResolve(e.Arg(1)); s != nil {
		sender = s
	}
	n, _ := r.send(m, sender, false)
	return n
}

// statePublish is IKC/publish: ARG0 a session alias (nil or "" for all of
// SENDER's aliases, or its ID when it has none), ARG1 the states.
func (r *Responder) statePublish(e *kernel.Event) any {
	states, ok := stringList(e.Arg(1))
	if !ok {
		r.warn("publish: states are %s, want a list", describe(e.Arg(1)))
		return 0
	}
	r.publish(e.Sender, scalarString(e.Arg(0)), states)
	return 1
}

func (r *Responder) publishNames(sender *kernel.Session, session string) []string {
	if session != "" {
		return []string{session}
	}
	if sender == nil || sender.IsKernel() {
		return nil
	}
	if names := r.k.AliasList(sender); len(names) > 0 {
		return names
	}
	return []string{fmt.Sprint(sender.ID())}
}

func (r *Responder) publish(sender *kernel.Session, session string, states []string) {
	r.pubDirty = true
	for _, name := range r.publishNames(sender, session) {
		set := r.published[name]
		if set == nil {
			set = map[string]bool{}
			r.published[name] = set
		}
		for _, st := range states {
			set[st] = true
		}
	}
}

// stateRetract is IKC/retract: ARG0 the session as for publish, ARG1 the
// states (nil for all). It returns 1, or 0 when nothing was published.
func (r *Responder) stateRetract(e *kernel.Event) any {
	states, ok := stringList(e.Arg(1))
	if !ok {
		r.warn("retract: states are %s, want a list", describe(e.Arg(1)))
		return 0
	}
	if r.retract(e.Sender, scalarString(e.Arg(0)), states, e.Arg(1) == nil) {
		return 1
	}
	return 0
}

func (r *Responder) retract(sender *kernel.Session, session string, states []string, all bool) bool {
	r.pubDirty = true
	any := false
	for _, name := range r.publishNames(sender, session) {
		set := r.published[name]
		if len(set) == 0 {
			continue
		}
		any = true
		if all {
			delete(r.published, name)
			continue
		}
		for _, st := range states {
			delete(set, st)
		}
		if len(set) == 0 {
			delete(r.published, name)
		}
	}
	return any
}

// statePublished is IKC/published: with ARG0 an alias, its published
// states ([]string, sorted); without, a map of every published alias
// (including IKC) to its states.
func (r *Responder) statePublished(e *kernel.Event) any {
	if name := scalarString(e.Arg(0)); name != "" {
		return r.publishedStates(name)
	}
	return r.publishedAll()
}

func (r *Responder) publishedStates(name string) []string {
	out := sortedKeys(r.published[name])
	sort.Strings(out)
	return out
}

func (r *Responder) publishedAll() map[string][]string {
	out := make(map[string][]string, len(r.published))
	for name := range r.published {
		out[name] = r.publishedStates(name)
	}
	return out
}

// stateSubscribe is IKC/subscribe: ARG0 a spec or a list of specs, ARG1
// the callback: a state of SENDER, or a func([]string); it receives the
// accepted specs once every spec is answered.
func (r *Responder) stateSubscribe(e *kernel.Event) any {
	specs, ok := stringList(e.Arg(0))
	if !ok {
		r.warn("subscribe: specs are %s, want a list", describe(e.Arg(0)))
		return nil
	}
	r.subscribe(e.Sender, specs, e.Arg(1))
	return nil
}

// stateUnsubscribe is IKC/unsubscribe: ARG0 a spec or a list of specs.
func (r *Responder) stateUnsubscribe(e *kernel.Event) any {
	specs, ok := stringList(e.Arg(0))
	if !ok {
		r.warn("unsubscribe: specs are %s, want a list", describe(e.Arg(0)))
		return nil
	}
	r.unsubscribe(specs)
	return nil
}

// stateMonitor is IKC/monitor: ARG0 the name to watch ("*", a kernel
// name or alias, or a specifier), ARG1 {event type => state, data => x}
// (nil, empty or a plain scalar to stop watching, as in Perl).
func (r *Responder) stateMonitor(e *kernel.Event) any {
	events, data, ok := eventMap(e.Arg(1))
	if !ok {
		r.warn("monitor: events are %s, want a hash", describe(e.Arg(1)))
		return nil
	}
	r.setMonitor(e.Sender, scalarString(e.Arg(0)), events, data)
	return nil
}

// stateDefault is IKC/default: ARG0 a kernel name, alias or ID becomes the
// kernel of specifiers that name none.
func (r *Responder) stateDefault(e *kernel.Event) any {
	r.setDefault(scalarString(e.Arg(0)))
	return nil
}

func (r *Responder) setDefault(name string) bool {
	id, ok := r.resolveKernel(name)
	if !ok {
		r.warn("We do not know the kernel %s.", name)
		return false
	}
	r.defKernel = id
	return true
}

// stateShutdown is IKC/shutdown (spec 13.9).
func (r *Responder) stateShutdown(e *kernel.Event) any {
	r.shutdown(e.Kernel)
	return nil
}

// shutdown removes the IKC alias, closes every channel, tells the "*"
// monitors (the only report made), and drops pending subscriptions,
// proxies and the current thunk.
func (r *Responder) shutdown(k *kernel.Kernel) {
	if r.shut {
		return
	}
	k.AliasRemove(Alias)
	r.ownAlias = false
	r.forget()
	var chans []Channel
	for _, id := range sortedKeys(r.channels) {
		chans = append(chans, r.channels[id])
	}
	for ch := range r.starting {
		chans = append(chans, ch)
	}
	receipts := r.receipts
	// Forget every channel first: one that unregisters while it closes
	// finds nothing left to report, as in Perl once the alias is gone.
	r.channels, r.ids, r.kernels, r.aliases = map[string]Channel{}, map[Channel]string{}, map[string]string{}, map[string][]string{}
	r.routesChanged()
	r.lastPeer.forget()
	r.starting, r.receipts, r.pending = map[Channel]bool{}, map[string]*receipt{}, map[Channel]*pendingList{}
	r.lastPending.forget()
	r.local, r.defKernel = nil, ""
	for _, ch := range chans {
		if _, local := ch.(*localChannel); !local {
			ch.Shutdown()
		}
	}
	r.inform(specifier.Any, MonitorShutdown)
	r.shut = true
	for _, name := range sortedKeys(receipts) {
		if rc := receipts[name]; rc.armed {
			k.AlarmRemove(rc.alarm)
		}
	}
	for _, name := range sortedKeys(r.proxies) {
		for _, p := range r.proxies[name] {
			k.Post(p.s, "_shutdown")
		}
	}
	if t := r.thunks.cur; t != nil && t.s.Alive() {
		t.release()
	}
}
