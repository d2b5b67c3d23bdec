package responder

import (
	"fmt"
	"strings"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
)

// thunkAliasPrefix starts the alias of every thunk session, followed by an
// eight-digit counter, as Perl's Thunk sessions are named.
const thunkAliasPrefix = "POEComponentIKCResponderThunk"

// invokeState is the thunk's internal state that calls the target handler,
// so that the handler's SENDER is the thunk.
const invokeState = "IKC:invoke"

// thunk is one thunk session (spec 13.6): the SENDER of the handlers that
// run incoming requests. An event posted to it goes back to the kernel
// that sent the latest request it carried, to that request's from.
type thunk struct {
	r     *Responder
	s     *kernel.Session
	alias string
	from  *message.Address
}

// thunkPool holds the current thunk and makes a new one when a handler
// kept the current one (took an extra reference on its SENDER).
type thunkPool struct {
	r     *Responder
	cur   *thunk
	n     int
	depth int
}

// invoke calls dest's state with args, synchronously, with the current
// thunk as SENDER, after pointing the thunk at from.
func (p *thunkPool) invoke(from *message.Address, dest *kernel.Session, state string, args []any) (any, error) {
	t := p.current()
	if t == nil {
		return nil, fmt.Errorf("no thunk session")
	}
	if p.depth > 0 {
		// A request made by a handler that is itself running a request
		// (through the local kernel) must not redirect the outer one's
		// replies.
		defer func(prev *message.Address) { t.from = prev }(t.from)
	}
	p.depth++
	defer func() { p.depth-- }()
	if from != nil {
		f := *from
		t.from = &f
	} else {
		t.from = nil
	}
	out := &invokeResult{}
	if _, err := p.r.k.Call(t.s, invokeState, dest, state, args, out); err != nil {
		return nil, err
	}
	return out.v, out.err
}

// current returns the thunk to use for the next request: the same one as
// long as nobody holds an extra reference to it, else a fresh one.
func (p *thunkPool) current() *thunk {
	if p.cur != nil && p.cur.s.Alive() && extraRefs(p.cur.s) == 0 {
		return p.cur
	}
	if p.cur != nil && p.cur.s.Alive() {
		p.cur.release()
	}
	p.n++
	t := &thunk{r: p.r, alias: fmt.Sprintf("%s%08d", thunkAliasPrefix, p.n)}
	t.s = p.r.k.Create(kernel.Session{
		States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet(t.alias)
				return nil
			},
			invokeState: t.invoke,
			"_default":  t.reply,
		},
		Heap: t,
	})
	if t.s == nil {
		return nil
	}
	p.cur = t
	return t
}

// release lets a thunk live only as long as its holders keep it: it drops
// the alias that kept it alive while it was current.
func (t *thunk) release() {
	t.r.k.Call(t.s, invokeState, nil, "", nil, &invokeResult{})
}

// invokeResult carries a handler's return value out of the thunk. Only the
// responder makes one, which tells its invocations from events that a
// handler posts to the thunk under the same name.
type invokeResult struct {
	v   any
	err error
}

// invoke runs in the thunk: ARG0 the destination session, ARG1 the state,
// ARG2 the arguments, ARG3 where to leave the result. Only the responder
// may use it; with a nil destination it drops the thunk's alias.
func (t *thunk) invoke(e *kernel.Event) any {
	out, ok := e.Arg(3).(*invokeResult)
	if !ok {
		return t.forward(e.Sender, e.State, e.Args)
	}
	dest, _ := e.Arg(0).(*kernel.Session)
	if dest == nil {
		e.Kernel.AliasRemove(t.alias)
		return nil
	}
	state, _ := e.Arg(1).(string)
	args, _ := e.Arg(2).([]any)
	out.v, out.err = e.Kernel.Call(dest, state, args...)
	return nil
}

// reply is the thunk's _default: an event posted to it (names starting
// with "_" excepted) is sent to the from of the latest request, as a
// proxied message, or with the event as state for a from without one
// (ClientLite). The poster's published alias is the reply's from.
func (t *thunk) reply(e *kernel.Event) any {
	state, _ := e.Arg(0).(string)
	args, _ := e.Arg(1).([]any)
	return t.forward(e.Sender, state, args)
}

func (t *thunk) forward(sender *kernel.Session, state string, args []any) any {
	if strings.HasPrefix(state, "_") {
		return nil
	}
	if t.from == nil {
		t.r.warn("Event %q posted to a thunk whose request had no from; dropped", state)
		return nil
	}
	m := message.ThunkReply(*t.from, state, append([]any(nil), args...), nil)
	t.r.within(func(*kernel.Event) { t.r.send(m, sender, false) })
	return nil
}

// extraRefs counts the extra references (refcount_increment tags) held
// on s, as Perl's responder reads them from POE.
func extraRefs(s *kernel.Session) int { return s.ExtraRefs() }
