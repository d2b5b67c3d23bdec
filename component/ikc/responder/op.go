package responder

import (
	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
)

// op is one piece of work a hot entry point (Request, Post, Call) runs
// inside the IKC session, as within does for the others, but without a
// closure per call: the inputs and results travel in an op taken from the
// responder's free list. Ops nest (a request whose handler posts), each
// level taking its own.
type op struct {
	kind   opKind
	ch     Channel
	rec    any
	spec   string
	params any
	rsvp   string
	addr   message.Address // a call's rsvp, pointed to by its record
	n      int
	err    error
}

type opKind uint8

const (
	opRequest opKind = iota
	opPost
	opCall
)

// getOp takes an op from the free list.
func (r *Responder) getOp(kind opKind) *op {
	var o *op
	if n := len(r.ops); n > 0 {
		o = r.ops[n-1]
		r.ops = r.ops[:n-1]
	} else {
		o = &op{}
	}
	o.kind = kind
	return o
}

// putOp clears o and returns it to the free list.
func (r *Responder) putOp(o *op) {
	*o = op{}
	r.ops = append(r.ops, o)
}

// runOp runs o in the IKC session with the caller as SENDER (nothing
// when the responder session is gone).
func (r *Responder) runOp(o *op) { r.callDo(o) }

// do is o's work, run by the doState handler.
func (r *Responder) do(e *kernel.Event, o *op) {
	switch o.kind {
	case opRequest:
		r.requestRecord(o.ch, o.rec)
	case opPost:
		o.n, o.err = r.send(message.Post(o.spec, o.params, nil), e.Sender, false)
	case opCall:
		o.err = r.callSpec(e.Sender, o)
	}
}
