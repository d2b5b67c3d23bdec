package responder

import (
	"fmt"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/kernel"
)

// send is the responder's send_msg (spec 12): it routes m to the kernel its
// event names (or the default kernel), granting one call permission per
// channel for an rsvp, and returns how many channels took it. sender is the
// session that asked, whose published alias becomes the record's from.
// With track set, a call sent to a remote channel is remembered until its
// answer comes, so that losing the channel can be reported.
func (r *Responder) send(m message.Message, sender *kernel.Session, track bool) (int, error) {
	if r.shut {
		return 0, ErrShutdown
	}
	target, err := r.target(m.EventAddr, m.Event)
	if err != nil {
		r.warn("Bad state %s: %v", m.EventName(), err)
		return 0, fmt.Errorf("%w: %v", ErrBadSpecifier, err)
	}
	if target.Session == "" || target.State == "" {
		r.warn("Specifier %s names no session or no state; nothing sent", m.EventName())
		return 0, fmt.Errorf("%w: %s names no session or no state", ErrBadSpecifier, m.EventName())
	}
	name := target.Kernel
	if name == "" {
		name = r.defKernel
	}
	if name == "" {
		r.warn("No default kernel to send %s to", m.EventName())
		return 0, fmt.Errorf("%w: %s names no kernel and there is no default kernel", ErrNoKernel, m.EventName())
	}
	from, hasFrom := message.Address{}, m.From != nil
	if hasFrom {
		from = *m.From
	} else {
		from, hasFrom = r.fromFor(sender)
	}
	var one [1]Channel
	chans := r.route(name, one[:0])
	if len(chans) == 0 {
		text := fmt.Sprintf("%d: Unknown kernel '%s'.", r.pid, name)
		if name == specifier.Any {
			text = fmt.Sprintf("%d: Not connected to any foreign kernels.", r.pid)
		}
		// Perl's send_msg tells the monitors of "*" only, whatever
		// kernel was named.
		r.informError(specifier.Any, "resolve", text)
		return 0, fmt.Errorf("%w: %s", ErrNoKernel, text)
	}
	n := 0
	for _, ch := range chans {
		out := r.getOut(ch)
		out.set(&m, from, hasFrom)
		var pc *pendingCall
		if m.RSVP != nil {
			r.grant(out.rsvp.Session, out.rsvp.State)
			if _, local := ch.(*localChannel); track && !local {
				pc = r.addPending(ch, target, out.rsvp, sender)
			}
		}
		sent := ch.Send(&out.m)
		r.putOut(out)
		if sent {
			n++
			continue
		}
		if m.RSVP != nil {
			r.revoke(m.RSVP.Session, m.RSVP.State)
			r.removePending(ch, pc)
		}
	}
	return n, nil
}

// route appends to chans the channels a kernel name reaches: every
// registered channel (the local pseudo-channel included) for "*", else
// the channel of the ID the name is or is an alias of.
func (r *Responder) route(name string, chans []Channel) []Channel {
	if name == specifier.Any {
		for _, id := range sortedKeys(r.channels) {
			chans = append(chans, r.channels[id])
		}
		return chans
	}
	if ch, ok := r.lastRoute.get(name); ok {
		return append(chans, ch)
	}
	if id, ok := r.resolveKernel(name); ok {
		ch := r.channels[id]
		r.lastRoute.remember(name, ch)
		return append(chans, ch)
	}
	return chans
}

// routesChanged forgets the route remembered for the last kernel name;
// every change to the channels or the kernel aliases calls it.
func (r *Responder) routesChanged() { r.lastRoute.forget() }

// resolveKernel maps a kernel name or alias to its registered ID.
func (r *Responder) resolveKernel(name string) (string, bool) {
	if _, ok := r.channels[name]; ok {
		return name, true
	}
	id, ok := r.kernels[name]
	return id, ok
}

// fromFor is the from of a record sent by session (spec 12 step 3): its
// first published alias in sorted order, if it has one.
func (r *Responder) fromFor(session *kernel.Session) (message.Address, bool) {
	if session == nil || session.IsKernel() || !session.Alive() {
		return message.Address{}, false
	}
	alias, ok := r.publishedAlias(session)
	if !ok {
		return message.Address{}, false
	}
	return message.Address{Kernel: r.localID, Session: alias, State: message.ProxyState}, true
}

// rsvpKey names the state a remote kernel may post once, as the answer
// to a call: one hash of both names, where a table per session took two
// lookups to grant and two to take back.
type rsvpKey struct{ session, state string }

// grant records one permission for session/state to be posted once by a
// remote kernel: the answer to a call (spec 13.3).
func (r *Responder) grant(session, state string) {
	r.rsvp[rsvpKey{session, state}]++
}

// revoke takes back one permission; it reports whether there was one.
func (r *Responder) revoke(session, state string) bool {
	if len(r.rsvp) == 0 {
		return false
	}
	key := rsvpKey{session, state}
	switch n := r.rsvp[key]; n {
	case 0:
		return false
	case 1:
		delete(r.rsvp, key)
	default:
		r.rsvp[key] = n - 1
	}
	return true
}
