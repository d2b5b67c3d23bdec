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
	r       *Responder
	s       *kernel.Session
	alias   string
	from    message.Address // where replies go, when hasFrom
	hasFrom bool
}

// thunkPool holds the current thunk and makes a new one when a handler
// kept the current one (took an extra reference on its SENDER).
type thunkPool struct {
	r     *Responder
	cur   *thunk
	n     int
	depth int
	invs  []*invocation // one per nesting depth, reused
}

// handlerArgs are the arguments a request's handler is called with: a
// proxied record's own list, or else ARG0 params and, unless extra is
// empty, ARG1 extra (the target specifier's arguments). The invocation
// holds that pair itself, so that a request allocates no list for it.
type handlerArgs struct {
	proxied bool
	list    []any // when proxied
	params  any
	extra   string
}

// invoke calls dest's state with args, synchronously, with the current
// thunk as SENDER, after pointing the thunk at from, and returns what the
// handler returned.
func (p *thunkPool) invoke(from *message.Address, dest *kernel.Session, state string, args handlerArgs) (any, error) {
	t := p.current()
	if t == nil {
		return nil, fmt.Errorf("no thunk session")
	}
	if p.depth > 0 {
		// A request made by a handler that is itself running a request
		// (through the local kernel) must not redirect the outer one's
		// replies.
		defer func(prev message.Address, had bool) { t.from, t.hasFrom = prev, had }(t.from, t.hasFrom)
	}
	if p.depth == len(p.invs) {
		p.invs = append(p.invs, &invocation{})
	}
	inv := p.invs[p.depth]
	p.depth++
	defer func() {
		p.depth--
		*inv = invocation{}
	}()
	if from != nil {
		t.from, t.hasFrom = *from, true
	} else {
		t.from, t.hasFrom = message.Address{}, false
	}
	inv.dest, inv.state = dest, state
	switch {
	case args.proxied:
		inv.args = args.list
	case args.extra != "":
		inv.argv[0], inv.argv[1] = args.params, args.extra
		inv.args = inv.argv[:2]
	default:
		inv.argv[0] = args.params
		inv.args = inv.argv[:1]
	}
	if _, err := p.r.k.Call(t.s, invokeState, inv); err != nil {
		return nil, err
	}
	return inv.v, inv.err
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
	t.r.k.Call(t.s, invokeState, &invocation{})
}

// invocation is one request's call of its handler, run by the thunk: the
// destination, the state and the arguments in, the handler's return value
// out. Only the responder makes one, which tells its invocations from
// events that a handler posts to the thunk under the same name.
type invocation struct {
	dest  *kernel.Session
	state string
	args  []any
	argv  [2]any
	v     any
	err   error
}

// invoke runs in the thunk: ARG0 the invocation. Only the responder may
// use it; with no destination it drops the thunk's alias.
func (t *thunk) invoke(e *kernel.Event) any {
	inv, ok := e.Arg(0).(*invocation)
	if !ok || len(e.Args) != 1 {
		return t.forward(e.Sender, e.State, e.Args)
	}
	if inv.dest == nil {
		e.Kernel.AliasRemove(t.alias)
		return nil
	}
	inv.v, inv.err = e.Kernel.Call(inv.dest, inv.state, inv.args...)
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
	if !t.hasFrom {
		t.r.warn("Event %q posted to a thunk whose request had no from; dropped", state)
		return nil
	}
	m := message.ThunkReply(t.from, state, append([]any(nil), args...), nil)
	t.r.within(func(*kernel.Event) { t.r.send(m, sender, false) })
	return nil
}

// extraRefs counts the extra references (refcount_increment tags) held
// on s, as Perl's responder reads them from POE.
func extraRefs(s *kernel.Session) int { return s.ExtraRefs() }
