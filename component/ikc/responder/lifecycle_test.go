package responder

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestThunkReuse mirrors IKC's t/32_thunk.t: two requests in a row share
// their SENDER; a handler that holds SENDER (an extra reference) can reply
// through it later; the next request gets a new SENDER; done comes from the
// same SENDER as post3.
func TestThunkReuse(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		var kept *kernel.Session
		srv.session("test", kernel.States{
			"post": func(e *kernel.Event) any {
				srv.rec.add("%s %d", e.Arg(0), e.Sender.ID())
				switch e.Arg(0) {
				case "post2":
					kept = e.Sender
					e.Kernel.RefcountIncrement(kept, "test")
				case "done":
					e.Kernel.Post(kept, "resp2", "x", "y")
					e.Kernel.RefcountDecrement(kept, "test")
				}
				return nil
			},
		})
		srv.do(func(*kernel.Event) { srv.r.Publish("test", "post") })
		me := cli.session("me", kernel.States{
			"go": func(e *kernel.Event) any {
				for _, p := range []string{"post1", "post2", "post3", "done"} {
					cli.r.Post("poe://Server/test/post", p)
				}
				return nil
			},
			"resp2": func(e *kernel.Event) any { cli.rec.add("resp2 %s", argsString(e.Args)); return nil },
		})
		cli.do(func(*kernel.Event) { cli.r.Publish("me", "resp2") })
		cli.k.Post(me, "go")
		ids := map[string]int{}
		for range 4 {
			f := strings.Fields(srv.rec.next(t))
			ids[f[0]], _ = strconv.Atoi(f[1])
		}
		if ids["post1"] != ids["post2"] {
			t.Errorf("post1 and post2 have different SENDERs: %v", ids)
		}
		if ids["post3"] == ids["post2"] {
			t.Errorf("post3 reused the held SENDER: %v", ids)
		}
		if ids["done"] != ids["post3"] {
			t.Errorf("done and post3 have different SENDERs: %v", ids)
		}
		cli.rec.expect(t, "resp2 x y")
		srv.do(func(e *kernel.Event) {
			if s := e.Kernel.AliasResolve(thunkAliasPrefix + "00000002"); s == nil || s.ID() != ids["post3"] {
				t.Errorf("second thunk alias resolves to %v, want session %d", s, ids["post3"])
			}
		})
	})
}

// monitorAll makes a session on s record every monitor event of "*".
func monitorAll(s *side) *kernel.Session {
	sess := s.session("mon", kernel.States{
		"ev": func(e *kernel.Event) any {
			s.rec.add("%v", argsString(e.Args))
			return nil
		},
	})
	watch(s, sess, "ev", MonitorRegister, MonitorUnregister, MonitorChannel, MonitorError,
		MonitorSubscribe, MonitorUnsubscribe, MonitorShutdown)
	return sess
}

// TestMonitorEventsInOrder mirrors the register, channel and unregister
// part of IKC's t/40_monitor.t: each event for the ID then each alias,
// register before channel ready; on EOF error channel-read, channel close,
// then unregister.
func TestMonitorEventsInOrder(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv := newSide(t, "Server")
		cli := newSide(t, "Client")
		monitorAll(cli)
		cs, cc := connect(t, srv, cli, c, []string{"SrvAlias"}, nil)
		id := srv.k.ID()
		ch := cc.sess.ID()
		cli.rec.expect(t,
			"* "+id+" 1 <nil> 1",
			"* Server <nil> <nil> 1",
			"* SrvAlias <nil> <nil> 1",
			fmt.Sprintf("* %s 1 <nil> ready %d", id, ch),
			fmt.Sprintf("* Server <nil> <nil> ready %d", ch),
			fmt.Sprintf("* SrvAlias <nil> <nil> ready %d", ch))
		srv.do(func(*kernel.Event) { cs.Shutdown() })
		cli.rec.expect(t,
			"* "+id+" 1 <nil> channel-read [0] ",
			"* Server <nil> <nil> channel-read [0] ",
			"* SrvAlias <nil> <nil> channel-read [0] ",
			fmt.Sprintf("* %s 1 <nil> close %d", id, ch),
			fmt.Sprintf("* Server <nil> <nil> close %d", ch),
			fmt.Sprintf("* SrvAlias <nil> <nil> close %d", ch),
			"* "+id+" 1 <nil>",
			"* Server <nil> <nil>",
			"* SrvAlias <nil> <nil>")
		cli.rec.quiet(t, srv, cli)
	})
}

func TestMonitorOfOneNameAndData(t *testing.T) {
	srv := newSide(t, "Server")
	cli := newSide(t, "Client")
	sess := cli.session("mon", kernel.States{
		"up": func(e *kernel.Event) any { cli.rec.add("up %s", argsString(e.Args)); return nil },
		"watch": func(e *kernel.Event) any {
			e.Kernel.Post(Alias, "monitor", "poe://SrvAlias/x", map[string]any{"register": "up", "data": "D"})
			return nil
		},
	})
	cli.k.Post(sess, "watch")
	cli.do(func(*kernel.Event) {})
	connect(t, srv, cli, codecs[0], []string{"SrvAlias"}, nil)
	cli.rec.expect(t, "up poe://SrvAlias/x SrvAlias <nil> D 1")
	cli.rec.quiet(t, cli)
}

// TestUnregisterCleansUp: when the connection goes, proxies go (monitor
// unsubscribe), calls waiting for an answer fail (monitor error "call" and
// a *CallError to the rsvp state) and their permissions are taken back,
// and the kernel is unknown.
func TestUnregisterCleansUp(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, cs, _ := pair(t, c)
		echoServer(srv)
		service(srv)
		me := subscriber(cli)
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
		cli.rec.expect(t, "subscribed [poe://Server/svc]")
		mon := cli.session("mon", kernel.States{
			"ev": func(e *kernel.Event) any { cli.rec.add("%v", argsString(e.Args)); return nil },
		})
		watch(cli, mon, "ev", MonitorUnsubscribe, MonitorError)
		cli.do(func(*kernel.Event) { cli.r.Call("poe://Server/echo/nothing", 1, "poe:/me/reply") })
		cli.do(func(*kernel.Event) {
			if cli.r.rsvp[rsvpKey{"me", "reply"}] != 1 {
				t.Errorf("permissions: %v", cli.r.rsvp)
			}
		})
		srv.do(func(*kernel.Event) {}) // the call has run there
		srv.do(func(*kernel.Event) { cs.Shutdown() })
		id := srv.k.ID()
		// The proxy stops after the kernel is gone: reported under the
		// ID alone, which is no longer registered.
		cli.rec.expect(t,
			"* "+id+" 1 <nil> channel-read [0] ",
			"* Server <nil> <nil> channel-read [0] ",
			"* SrvAlias <nil> <nil> channel-read [0] ",
			"* "+id+" <nil> <nil> call Connection to "+id+" closed before poe://Server/echo/nothing answered",
			"reply call to poe://Server/echo/nothing (kernel "+id+"): ikc: connection closed before the call was answered",
			"* "+id+" <nil> <nil> map[kernel:Server session:svc state:]")
		cli.do(func(*kernel.Event) {
			if len(cli.r.rsvp) != 0 || len(cli.r.channels) != 0 || len(cli.r.kernels) != 0 || cli.r.defKernel != "" {
				t.Errorf("tables left: rsvp %v channels %v kernels %v default %q", cli.r.rsvp, cli.r.channels, cli.r.kernels, cli.r.defKernel)
			}
			if _, err := cli.r.Post("poe://Server/echo/echo", 1); err == nil {
				t.Error("post to a gone kernel succeeded")
			}
		})
	})
}

// TestShutdown: the shutting-down side reports only shutdown; the peer
// sees the connection close; IKC can be spawned again.
func TestShutdown(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		monitorAll(srv)
		monitorAll(cli)
		srv.do(func(e *kernel.Event) { e.Kernel.Post(Alias, "shutdown") })
		srv.rec.expect(t, "* * <nil> <nil>")
		id := srv.k.ID()
		cli.rec.expect(t,
			"* "+id+" 1 <nil> channel-read [0] ",
			"* Server <nil> <nil> channel-read [0] ",
			"* SrvAlias <nil> <nil> channel-read [0] ")
		srv.rec.quiet(t, srv, cli)
		srv.do(func(e *kernel.Event) {
			if Get(e.Kernel) != nil {
				t.Error("Get finds a shut-down responder")
			}
			if e.Kernel.AliasResolve(Alias) != nil {
				t.Error("IKC alias survived shutdown")
			}
			if _, err := srv.r.Post("poe://Client/x/y", 1); err != ErrShutdown {
				t.Errorf("Post after shutdown: %v", err)
			}
			r := Spawn(e.Kernel)
			if r == srv.r || e.Kernel.AliasResolve(Alias) != r.Session() {
				t.Error("Spawn after shutdown did not make a new responder")
			}
		})
	})
}

func TestSecondConnectionFromTheSameKernelIsRefused(t *testing.T) {
	srv := newSide(t, "Server")
	cli := newSide(t, "Client")
	connect(t, srv, cli, codecs[0], nil, nil)
	extra := &fakeChannel{side: srv, codec: codecs[0], name: "Server"}
	extra.peer = extra
	srv.do(extra.create)
	srv.do(func(*kernel.Event) {
		if srv.r.Register(extra, cli.k.ID(), nil, nil) {
			t.Error("a second registration of the same kernel ID succeeded")
		}
		srv.r.Unregister(extra)
		if _, ok := srv.r.channels[cli.k.ID()]; !ok {
			t.Error("closing the refused channel unregistered the first one")
		}
	})
}

// TestInformMonitorsState holds Perl IKC's IKC/inform_monitors state: the
// event goes to the monitors of the name given (a kernel's name, or its
// "poe://" specifier) and of "*", with the arguments after the event.
func TestInformMonitorsState(t *testing.T) {
	cli := newSide(t, "Client")
	sess := cli.session("mon", kernel.States{
		"reg": func(e *kernel.Event) any { cli.rec.add("reg %s", argsString(e.Args)); return nil },
		"watch": func(e *kernel.Event) any {
			e.Kernel.Post(Alias, "monitor", "Other", map[string]any{"register": "reg"})
			e.Kernel.Post(Alias, "monitor", "*", map[string]any{"register": "reg", "data": "all"})
			e.Kernel.Post(Alias, "inform_monitors", "poe://Other", MonitorRegister, "x")
			e.Kernel.Post(Alias, "inform_monitors", "*", MonitorRegister, "y")
			return nil
		},
	})
	cli.k.Post(sess, "watch")
	cli.rec.expect(t,
		"reg Other Other <nil> <nil> x",
		"reg * Other <nil> all x",
		"reg * * <nil> all y")
	cli.rec.quiet(t, cli)
}
