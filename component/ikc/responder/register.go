package responder

import (
	"fmt"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/kernel"
)

// The seam with the channel sessions. Channel sessions call these methods
// on the loop goroutine, from their own handlers; each runs inside the IKC
// session, as Perl's channel posts and calls to the responder do.

// RegisterChannel notes a connection that started negotiating (Perl's
// register_channel), so that IKC/shutdown closes it too.
func (r *Responder) RegisterChannel(ch Channel) {
	r.within(func(*kernel.Event) {
		if !r.shut {
			r.starting[ch] = true
		}
	})
}

// Register records a negotiated peer (Perl's register): remoteID becomes
// the key of the channel, aliases the peer's other names (an alias already
// known keeps its first owner), and the first kernel ever registered is the
// default kernel. Monitors then get register (ARG4 pid) for the ID and each
// alias, then channel ready (ARG4 "ready", ARG5 the channel session's ID).
// It returns false, and registers nothing, when remoteID is already
// registered or the responder has shut down; the channel should then close.
func (r *Responder) Register(ch Channel, remoteID string, aliases []string, pid any) bool {
	ok := false
	r.within(func(*kernel.Event) {
		delete(r.starting, ch)
		if r.shut {
			return
		}
		if _, dup := r.channels[remoteID]; dup {
			r.warn("Remote kernel '%s' already exists", remoteID)
			return
		}
		if _, dup := r.ids[ch]; dup {
			r.warn("Channel already registered as '%s'", r.ids[ch])
			return
		}
		ok = true
		r.channels[remoteID] = ch
		r.routesChanged()
		r.ids[ch] = remoteID
		r.addAliases(remoteID, aliases)
		if r.defKernel == "" {
			r.defKernel = remoteID
		}
		r.inform(remoteID, MonitorRegister, pid)
		r.inform(remoteID, MonitorChannel, "ready", channelID(ch))
	})
	return ok
}

func (r *Responder) addAliases(id string, aliases []string) {
	for _, a := range aliases {
		if a == "" || a == id {
			continue
		}
		if _, taken := r.kernels[a]; taken {
			continue
		}
		if _, taken := r.channels[a]; taken {
			continue
		}
		r.kernels[a] = id
		r.routesChanged()
		r.aliases[id] = append(r.aliases[id], a)
	}
}

func channelID(ch Channel) any {
	if s := ch.Session(); s != nil {
		return s.ID()
	}
	return nil
}

// Request handles one record thawed from ch (Perl's request, spec 11): the
// permission check, then a synchronous call of the published state through
// the thunk session, whose answer to a call goes back to the rsvp. Failures
// reach the local monitors as error local-<phase> and the peer as a
// remote_error (never in answer to an error). rec is what the serializer
// returned, read by message.FromValue, or a *message.Message a
// message.Decoder made; a record that is not one is a request-phase error.
func (r *Responder) Request(ch Channel, rec any) {
	o := r.getOp(opRequest)
	o.ch, o.rec = ch, rec
	r.runOp(o)
	r.putOp(o)
}

// requestRecord is Request inside the IKC session.
func (r *Responder) requestRecord(ch Channel, rec any) {
	peer, ok := r.peerOf(ch)
	if !ok || r.shut {
		return
	}
	var m message.Message
	if p, ok := rec.(*message.Message); ok && p != nil {
		m = *p
	} else {
		var err error
		if m, err = message.FromValue(rec); err != nil {
			r.requestError(peer, nil, "", fmt.Sprintf("Malformed record: %v", err), message.PhaseRequest, false)
			return
		}
	}
	r.request(peer, m)
}

// ChannelError reports a channel's socket or wheel error to the monitors:
// error with operation channel-<op> and message "[errno] text", for the
// peer's ID and aliases, or for "*" when the peer is not registered yet.
func (r *Responder) ChannelError(ch Channel, op string, errno int, text string) {
	r.within(func(*kernel.Event) {
		name, ok := r.ids[ch]
		if !ok {
			name = specifier.Any
		}
		msg := fmt.Sprintf("[%d] %s", errno, text)
		if op == "read" && errno == 0 && text == "" {
			// End of input is how every connection ends: the monitors
			// hear of it, but it is no warning.
			r.inform(name, MonitorError, "channel-"+op, msg)
			return
		}
		r.informError(name, "channel-"+op, msg)
	})
}

// Unregister forgets a channel whose connection ended (Perl's unregister):
// monitors get channel close (ARG4 "close", ARG5 the channel session's ID)
// and then unregister, for the ID and each alias; the default kernel is
// cleared if it was this one; proxies of the kernel are told to go
// (_delete); calls still waiting for an answer from it fail (see
// pendingCall) and its pending subscriptions count as refused. A channel
// that never registered is only forgotten.
func (r *Responder) Unregister(ch Channel) {
	r.within(func(*kernel.Event) {
		delete(r.starting, ch)
		id, ok := r.ids[ch]
		if !ok {
			return
		}
		r.inform(id, MonitorChannel, "close", channelID(ch))
		r.inform(id, MonitorUnregister)
		names := r.names(id)
		if r.defKernel == id {
			r.defKernel = ""
		}
		delete(r.channels, id)
		r.routesChanged()
		delete(r.ids, ch)
		r.lastPeer.forget()
		for _, a := range r.aliases[id] {
			delete(r.kernels, a)
		}
		delete(r.aliases, id)
		for _, n := range names {
			for _, p := range r.proxies[n] {
				r.k.Post(p.s, "_delete")
			}
		}
		r.failPending(ch, id)
		r.refuseReceipts(ch)
	})
}

// RegisterLocal registers the local kernel pseudo-channel (Perl's
// register_local, spec 13.7) under the kernel's ID, with names (the
// Server's or Client's name and aliases, plus the kernel's own name) as
// its aliases. Records sent to any of them are handled at once, on the
// same stack, by the same request path a remote record takes. Calling it
// again adds names. It does not change the default kernel.
func (r *Responder) RegisterLocal(names []string) {
	r.within(func(*kernel.Event) {
		if r.shut {
			return
		}
		if r.local == nil {
			r.local = &localChannel{r: r}
			r.channels[r.localID] = r.local
			r.routesChanged()
			r.ids[r.local] = r.localID
		}
		all := append([]string(nil), names...)
		if n := r.k.Name(); n != r.localID {
			all = append(all, n)
		}
		r.addAliases(r.localID, all)
	})
}

// localChannel is the local kernel pseudo-channel: Perl's LocalKernel.
type localChannel struct{ r *Responder }

// Send handles m as a record received from the local kernel, synchronously.
func (l *localChannel) Send(m *message.Message) bool {
	m.FillKernel(l.r.localID)
	l.r.request(l.r.localID, *m)
	return true
}

// Shutdown forgets the pseudo-channel.
func (l *localChannel) Shutdown() {}

// Session is the responder's own session: the pseudo-channel has none.
func (l *localChannel) Session() *kernel.Session { return l.r.s }

// pendingCall is a call sent to a remote kernel whose answer has not come
// yet. When the channel goes first, the caller's monitors get error with
// operation "call" under the remote ID, and the permission granted for the
// answer is taken back; its rsvp state gets a *CallError. A call with a
// timeout (WithCallTimeout, CallTimeout) arms its timer here and fails the
// same way when it fires.
type pendingCall struct {
	target specifier.Specifier // the called specifier, for the messages
	rsvp   message.Address
	caller int // the calling session's ID
	alarm  kernel.AlarmID
}

// pendingList holds the calls awaiting an answer on one channel. It stays
// in r.pending as long as the channel is registered (failPending drops
// it), so that a call costs no map insertion and deletion.
type pendingList struct {
	calls []*pendingCall
}

// pendingOf returns ch's list, made if make is set, else nil when there is
// none; the last one found is remembered, as calls and their answers come
// in runs on one channel.
func (r *Responder) pendingOf(ch Channel, make bool) *pendingList {
	if pl, ok := r.lastPending.get(ch); ok {
		return pl
	}
	pl := r.pending[ch]
	if pl == nil {
		if !make {
			return nil
		}
		pl = &pendingList{}
		r.pending[ch] = pl
	}
	r.lastPending.remember(ch, pl)
	return pl
}

func (r *Responder) addPending(ch Channel, target specifier.Specifier, rsvp message.Address, caller *kernel.Session) *pendingCall {
	pc := &pendingCall{target: target, rsvp: rsvp}
	if caller != nil {
		pc.caller = caller.ID()
	}
	pl := r.pendingOf(ch, true)
	pl.calls = append(pl.calls, pc)
	r.armCallTimer(pc, r.curCallTimeout)
	return pc
}

func (r *Responder) removePending(ch Channel, pc *pendingCall) {
	r.disarmCallTimer(pc)
	pl := r.pendingOf(ch, false)
	if pl == nil {
		return
	}
	list := pl.calls
	for i, p := range list {
		if p == pc {
			copy(list[i:], list[i+1:])
			list[len(list)-1] = nil
			pl.calls = list[:len(list)-1]
			return
		}
	}
}

// answered drops the oldest pending call awaiting session/state, preferring
// one sent on the channel of peer.
func (r *Responder) answered(peer, session, state string) {
	match := func(ch Channel, pl *pendingList) bool {
		if pl == nil {
			return false
		}
		for _, p := range pl.calls {
			if p.rsvp.Session == session && p.rsvp.State == state {
				r.removePending(ch, p)
				return true
			}
		}
		return false
	}
	if ch, ok := r.channels[peer]; ok && match(ch, r.pendingOf(ch, false)) {
		return
	}
	for ch, pl := range r.pending {
		if match(ch, pl) {
			return
		}
	}
}

func (r *Responder) failPending(ch Channel, id string) {
	var list []*pendingCall
	if pl := r.pending[ch]; pl != nil {
		list = pl.calls
	}
	delete(r.pending, ch)
	r.lastPending.forget()
	for _, p := range list {
		r.disarmCallTimer(p)
		r.revoke(p.rsvp.Session, p.rsvp.State)
		r.informError(id, "call", fmt.Sprintf("Connection to %s closed before %s answered", id, p.target.String()))
		r.failCall(p, id, ErrCallClosed)
	}
}
