package responder

import "github.com/poe-go/poe/component/ikc/message"

// SyncSender is a Channel whose Send is done with the message when it
// returns: it writes or handles the record at once and keeps no pointer
// into it. The responder lends such a channel a message it reuses for the
// next record, instead of copying each record to the heap for it. The
// socket channels (package channel) are SyncSenders.
type SyncSender interface {
	Channel
	// SendsSynchronously marks the channel; it is never called.
	SendsSynchronously()
}

// outMsg is the copy of a record one channel's Send gets, with the
// addresses it points to: the channel may fill in the rsvp kernel.
type outMsg struct {
	m                 message.Message
	event, rsvp, from message.Address
	pooled            bool
}

// getOut returns the outMsg for a record to ch: from the free list when ch
// is done with it on return, else a fresh one ch may keep.
func (r *Responder) getOut(ch Channel) *outMsg {
	switch ch.(type) {
	case SyncSender, *localChannel:
		if n := len(r.outs); n > 0 {
			o := r.outs[n-1]
			r.outs = r.outs[:n-1]
			return o
		}
		return &outMsg{pooled: true}
	}
	return &outMsg{}
}

// putOut returns a lent outMsg to the free list, holding nothing.
func (r *Responder) putOut(o *outMsg) {
	if !o.pooled {
		return
	}
	*o = outMsg{pooled: true}
	r.outs = append(r.outs, o)
}

// set makes o a copy of m whose addresses are o's own, with from as its
// from when hasFrom and none otherwise.
func (o *outMsg) set(m *message.Message, from message.Address, hasFrom bool) {
	o.m = *m
	o.m.From = nil
	if m.EventAddr != nil {
		o.event = *m.EventAddr
		o.m.EventAddr = &o.event
	}
	if m.RSVP != nil {
		o.rsvp = *m.RSVP
		o.m.RSVP = &o.rsvp
	}
	if hasFrom {
		o.from = from
		o.m.From = &o.from
	}
}
