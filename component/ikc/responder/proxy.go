package responder

import (
	"strings"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/kernel"
)

// proxy is a proxy session (spec 13.4): the local stand-in of a remote
// session a subscription was accepted for. It carries the aliases
// "poe://K/S" and, when free, the bare "S"; every event posted to it is
// sent to S on kernel K as a proxied message with all its arguments.
type proxy struct {
	r       *Responder
	s       *kernel.Session
	kernel  string // the kernel name it forwards to
	rid     string // the remote kernel ID its monitors report
	session string
	alias   string
	spec    map[string]any // the accepted spec hash, ARG4 of its monitors
	sub     string         // the subscription spec it came from
}

// proxyAlias is the alias of the proxy for session on kernel.
func proxyAlias(kernelName, session string) string {
	return specifier.Specifier{Kernel: kernelName, Session: session}.String()
}

// createProxy makes the proxy of kernelName/spec.Session unless one exists,
// and has the monitors of rid told: subscribe, ARG4 the spec hash.
func (r *Responder) createProxy(kernelName, rid string, spec specifier.Specifier, sub string) {
	alias := proxyAlias(kernelName, spec.Session)
	if r.k.AliasResolve(alias) != nil {
		return
	}
	p := &proxy{r: r, kernel: kernelName, rid: rid, session: spec.Session, alias: alias, spec: spec.Map(), sub: sub}
	p.s = r.k.Create(kernel.Session{
		States: kernel.States{
			"_start":    p.start,
			"_stop":     p.stop,
			"_delete":   p.drop,
			"_shutdown": p.drop,
			"_default":  p.forward,
		},
		Heap: p,
	})
	if p.s == nil {
		return
	}
	r.proxies[kernelName] = append(r.proxies[kernelName], p)
	// Perl's proxy posts IKC/inform_monitors from its _start, so the
	// monitors hear of it one event later: after the subscriber's
	// callback, which the receipt that made the proxy posts first.
	r.k.Post(r.s, "inform_monitors", rid, MonitorSubscribe, p.spec)
}

func (p *proxy) start(e *kernel.Event) any {
	e.Kernel.AliasSet(p.alias)
	e.Kernel.AliasSet(p.session) // only when free: EEXIST leaves the owner
	return nil
}

// drop removes the proxy's aliases, so that it stops once nothing else
// holds it: _delete (its kernel went) and _shutdown (unsubscribe, or IKC
// shut down).
func (p *proxy) drop(e *kernel.Event) any {
	for _, a := range e.Kernel.AliasList(e.Session) {
		e.Kernel.AliasRemove(a)
	}
	return nil
}

func (p *proxy) stop(e *kernel.Event) any {
	r := p.r
	list := r.proxies[p.kernel]
	for i, q := range list {
		if q == p {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(r.proxies, p.kernel)
	} else {
		r.proxies[p.kernel] = list
	}
	r.within(func(*kernel.Event) { r.inform(p.rid, MonitorUnsubscribe, p.spec) })
	return nil
}

// forward is the proxy's _default: the event and all its arguments go to
// the remote session, with the poster's published alias as from. A call
// to a proxy returns nil. Events whose names start with "_" stay here.
func (p *proxy) forward(e *kernel.Event) any {
	state, _ := e.Arg(0).(string)
	if strings.HasPrefix(state, "_") {
		return nil
	}
	args, _ := e.Arg(1).([]any)
	m := message.Proxied(p.kernel, p.session, state, append([]any(nil), args...), nil)
	sender := e.Sender
	p.r.within(func(*kernel.Event) { p.r.send(m, sender, false) })
	return nil
}

// unsubscribe tells the proxies of each spec to go (_shutdown). A spec is
// the proxy's alias "poe://K/S", or a "*" spec that created several.
// Nothing is sent on the wire.
func (r *Responder) unsubscribe(specs []string) {
	for _, spec := range specs {
		target, err := specifier.Parse(spec)
		if err != nil {
			r.warn("Bad unsubscribe specifier '%s'", spec)
			continue
		}
		alias := proxyAlias(target.Kernel, target.Session)
		for _, name := range sortedKeys(r.proxies) {
			for _, p := range r.proxies[name] {
				if p.alias == alias || (target.IsAny() && p.sub == spec) {
					r.k.Post(p.s, "_shutdown")
				}
			}
		}
	}
}
