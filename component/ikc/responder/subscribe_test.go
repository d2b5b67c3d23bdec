package responder

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
)

// service gives s a session "svc" publishing "method", which records its
// arguments and answers through its SENDER with "reply".
func service(s *side) {
	s.session("svc", kernel.States{
		"method": func(e *kernel.Event) any {
			s.rec.add("method %s", argsString(e.Args))
			e.Kernel.Post(e.Sender, "reply", "r", int64(42))
			return nil
		},
	})
	s.do(func(*kernel.Event) { s.r.Publish("svc", "method") })
}

// subscriber gives s a session "me" that publishes "reply", subscribes
// when told to, and records its callback, replies and monitor events.
func subscriber(s *side) *kernel.Session {
	me := s.session("me", kernel.States{
		"subscribe": func(e *kernel.Event) any {
			e.Kernel.Post(Alias, "subscribe", e.Arg(0), "subscribed")
			return nil
		},
		"subscribed": func(e *kernel.Event) any { s.rec.add("subscribed %v", e.Arg(0)); return nil },
		"reply":      func(e *kernel.Event) any { s.rec.add("reply %s", argsString(e.Args)); return nil },
		"send": func(e *kernel.Event) any {
			e.Kernel.Post(e.Arg(0), "method", e.Args[1:]...)
			return nil
		},
		"mon": func(e *kernel.Event) any {
			s.rec.add("%s %v %v %v", e.Arg(4), e.Arg(0), e.Arg(1), e.Arg(2))
			return nil
		},
		"err": func(e *kernel.Event) any { s.rec.add("error %v %v", e.Arg(4), e.Arg(5)); return nil },
	})
	s.do(func(*kernel.Event) { s.r.Publish("me", "reply") })
	return me
}

// watch makes sess monitor "*" for the given events, each posted to state.
func watch(s *side, sess *kernel.Session, state string, events ...string) {
	ev := map[string]string{}
	for _, e := range events {
		ev[e] = state
	}
	s.do(func(*kernel.Event) {
		s.r.within(func(*kernel.Event) { s.r.setMonitor(sess, "*", ev, nil) })
	})
}

func TestSubscribeMakesAProxyThatForwardsAndRepliesThroughSender(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		service(srv)
		me := subscriber(cli)
		watch(cli, me, "mon", MonitorSubscribe, MonitorUnsubscribe)
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
		id := srv.k.ID()
		// The subscriber's callback first: Perl IKC's proxy tells the
		// monitors through a post to IKC/inform_monitors.
		cli.rec.expect(t,
			"subscribed [poe://Server/svc]",
			"map[kernel:Server session:svc state:] * "+id+" 1",
			"map[kernel:Server session:svc state:] * Server <nil>",
			"map[kernel:Server session:svc state:] * SrvAlias <nil>")
		// Through the bare alias, with several arguments.
		cli.k.Post(me, "send", "svc", "a", "b")
		srv.rec.expect(t, "method a b")
		cli.rec.expect(t, "reply r 42")
		cli.k.Post(me, "send", "poe://Server/svc", int64(3))
		srv.rec.expect(t, "method 3")
		cli.rec.expect(t, "reply r 42")

		cli.do(func(e *kernel.Event) { cli.r.Unsubscribe("poe://Server/svc") })
		cli.rec.expect(t,
			"map[kernel:Server session:svc state:] * "+id+" 1",
			"map[kernel:Server session:svc state:] * Server <nil>",
			"map[kernel:Server session:svc state:] * SrvAlias <nil>")
		cli.do(func(e *kernel.Event) {
			if s := e.Kernel.AliasResolve("svc"); s != nil {
				t.Errorf("proxy alias svc still resolves to %v", s)
			}
		})
	})
}

func TestSubscriptionRefusals(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		service(srv)
		me := subscriber(cli)
		watch(cli, me, "err", MonitorError)
		cli.k.Post(me, "subscribe", []string{"poe://Unknown/svc", "poe://Server/nosuch", "poe://Server/svc"})
		var lines []string
		for range 4 {
			lines = append(lines, cli.rec.next(t))
		}
		want := []string{
			fmt.Sprintf("error resolve %d: Unknown kernel 'Unknown'.", cli.r.pid),
			"error subscribe Unknown kernel Unknown",
			"error subscribe Refused subscription poe://Server/nosuch",
			"subscribed [poe://Server/svc]",
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Fatalf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		cli.do(func(e *kernel.Event) { cli.r.RegisterLocal([]string{"Me"}) })
		cli.k.Post(me, "subscribe", "poe://Me/me")
		cli.rec.expect(t, "error subscribe You can't subscribe to a session within the current kernel.", "subscribed []")
	})
}

func TestSubscriptionTimesOutAndChannelLossRefusesAtOnce(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, cc := pair(t, c, WithSubscribeTimeout(20*time.Millisecond))
		service(srv)
		me := subscriber(cli)
		watch(cli, me, "err", MonitorError)
		cc.drop = func(m *message.Message) bool { return m.Kind() == message.KindDoYouHave }
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
		cli.rec.expect(t, "error subscribe Refused subscription to poe://Server/svc", "subscribed []")

		cli.do(func(*kernel.Event) { cli.r.subscribeTimeout = 0 })
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
		cli.do(func(*kernel.Event) {}) // the request is out
		srv.do(func(e *kernel.Event) { srv.r.Shutdown() })
		cli.rec.expect(t,
			"error channel-read [0] ", // the ID, then each alias
			"error channel-read [0] ",
			"error channel-read [0] ",
			"error subscribe Connection closed before subscription poe://Server/svc was answered",
			"subscribed []")
	})
}

func TestSubscribeToAnyKernelMakesOneProxyPerKernel(t *testing.T) {
	c := codecs[0]
	cli := newSide(t, "Client")
	a := newSide(t, "A")
	b := newSide(t, "B")
	connect(t, a, cli, c, nil, nil)
	connect(t, b, cli, c, nil, nil)
	service(a)
	service(b)
	me := subscriber(cli)
	cli.k.Post(me, "subscribe", []string{"poe://*/svc"})
	cli.rec.expect(t, "subscribed [poe://*/svc]")
	for _, s := range []*side{a, b} {
		cli.k.Post(me, "send", fmt.Sprintf("poe://%s/svc", s.k.ID()), s.name)
		s.rec.expect(t, "method "+s.name)
		cli.rec.expect(t, "reply r 42")
	}
	cli.do(func(e *kernel.Event) { cli.r.Unsubscribe("poe://*/svc") })
	cli.do(func(e *kernel.Event) {})
	cli.do(func(e *kernel.Event) {
		for _, s := range []*side{a, b} {
			if e.Kernel.AliasResolve(fmt.Sprintf("poe://%s/svc", s.k.ID())) != nil {
				t.Errorf("proxy for %s survived unsubscribe", s.name)
			}
		}
	})
}
