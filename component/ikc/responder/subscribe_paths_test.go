package responder

import (
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// logTo is a logger whose every line is recorded as "log <text>".
func logTo(rec *recorder) Option {
	return WithLogger(log.New(lineWriter{rec}, "", 0))
}

type lineWriter struct{ rec *recorder }

func (w lineWriter) Write(p []byte) (int, error) {
	w.rec.add("log %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestSubscribingTwiceKeepsOneProxy: a second subscription to a session
// that already has a proxy is accepted without a second proxy, so the
// monitors see one subscribe and, on unsubscribe, one unsubscribe; a
// second session of the same kernel gets a proxy of its own, which
// outlives the first one's unsubscribe. Perl's Proxy->spawn returns
// without creating a session when the alias "poe://K/S" resolves, and its
// receipt still counts the spec as accepted.
func TestSubscribingTwiceKeepsOneProxy(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		service(srv)
		srv.session("other", kernel.States{"method": func(e *kernel.Event) any {
			srv.rec.add("other %s", argsString(e.Args))
			return nil
		}})
		srv.do(func(*kernel.Event) { srv.r.Publish("other", "method") })
		me := subscriber(cli)
		watch(cli, me, "mon", MonitorSubscribe, MonitorUnsubscribe)
		id := srv.k.ID()
		sub := func(spec string) []string {
			return []string{
				"map[kernel:Server session:" + spec + " state:] * " + id + " 1",
				"map[kernel:Server session:" + spec + " state:] * Server <nil>",
				"map[kernel:Server session:" + spec + " state:] * SrvAlias <nil>",
			}
		}
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
		// The subscriber's callback first: the monitors hear of a new
		// proxy one event later, as in Perl IKC.
		cli.rec.expect(t, append([]string{"subscribed [poe://Server/svc]"}, sub("svc")...)...)
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc", "poe://Server/other"})
		cli.rec.expect(t, append([]string{"subscribed [poe://Server/svc poe://Server/other]"}, sub("other")...)...)
		cli.do(func(*kernel.Event) {
			if n := len(cli.r.proxies["Server"]); n != 2 {
				t.Errorf("%d proxies for Server, want 2", n)
			}
		})

		cli.do(func(*kernel.Event) { cli.r.Unsubscribe("poe://Server/svc") })
		cli.rec.expect(t, sub("svc")...)
		cli.k.Post(me, "send", "other", "still")
		srv.rec.expect(t, "other still")
		cli.do(func(*kernel.Event) { cli.r.Unsubscribe("poe://Server/other") })
		cli.rec.expect(t, sub("other")...)
		cli.rec.quiet(t, cli, srv)
		cli.do(func(*kernel.Event) {
			if len(cli.r.proxies) != 0 {
				t.Errorf("proxies left: %v", cli.r.proxies)
			}
		})
	})
}

// TestAProxyGoesWithItsKernelAndASubscriptionAfterItComesBackWorks: when
// the kernel of a proxy unregisters, the proxy is told _delete and goes
// (monitor unsubscribe, the bare alias freed); once the kernel connects
// again, subscribing again makes a new proxy that reaches it. Perl's
// unregister posts _delete to every proxy it recorded under the kernel's
// names (Responder.pm, unregister).
func TestAProxyGoesWithItsKernelAndASubscriptionAfterItComesBack(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, cs, _ := pair(t, c)
		service(srv)
		me := subscriber(cli)
		watch(cli, me, "mon", MonitorUnsubscribe)
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
		cli.rec.expect(t, "subscribed [poe://Server/svc]")

		srv.do(func(*kernel.Event) { cs.Shutdown() })
		cli.rec.expect(t, "map[kernel:Server session:svc state:] * "+srv.k.ID()+" <nil>")
		cli.do(func(e *kernel.Event) {
			for _, a := range []string{"svc", "poe://Server/svc"} {
				if s := e.Kernel.AliasResolve(a); s != nil {
					t.Errorf("alias %q still resolves after the kernel went", a)
				}
			}
		})

		connect(t, srv, cli, c, []string{"SrvAlias"}, nil)
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
		cli.rec.expect(t, "subscribed [poe://Server/svc]")
		cli.k.Post(me, "send", "svc", "again")
		srv.rec.expect(t, "method again")
		cli.rec.expect(t, "reply r 42")
	})
}

// TestSubscribingToTheLocalKernelIsRefused: a spec naming this kernel by
// its name, its ID or a local alias, or naming no kernel, is refused with
// "You can't subscribe to a session within the current kernel." (where
// Perl dies with that text), and the callback gets the specs that were
// accepted: none.
func TestSubscribingToTheLocalKernelIsRefused(t *testing.T) {
	srv, cli, _, _ := pair(t, codecs[0])
	service(srv)
	me := subscriber(cli)
	watch(cli, me, "err", MonitorError)
	cli.do(func(*kernel.Event) { cli.r.RegisterLocal([]string{"Me"}) })
	const refusal = "error subscribe You can't subscribe to a session within the current kernel."
	for _, tc := range []struct{ name, spec string }{
		{"by its name", "poe://Client/me"},
		{"by its ID", "poe://" + cli.k.ID() + "/me"},
		{"by a local alias", "poe://Me/me"},
		{"with no kernel", "poe:/me"},
	} {
		t.Run("a spec naming the local kernel "+tc.name+" is refused", func(t *testing.T) {
			cli.k.Post(me, "subscribe", []string{tc.spec})
			// The error goes to the monitors of each local name the
			// spec reached, then the callback runs.
			cli.rec.expect(t, refusal)
			for {
				line := cli.rec.next(t)
				if line == "subscribed []" {
					break
				}
				if line != refusal {
					t.Fatalf("got %q", line)
				}
			}
		})
	}
	t.Run("a bad specifier is refused", func(t *testing.T) {
		cli.k.Post(me, "subscribe", []string{"me"})
		cli.rec.expect(t, "error subscribe Bad subscription specifier 'me'", "subscribed []")
	})
	t.Run("an empty list of specs has no callback", func(t *testing.T) {
		// Perl: IKC/subscribe returns unless @$sessions.
		cli.k.Post(me, "subscribe", []string{})
		cli.rec.quiet(t, cli, srv)
	})
}

// TestProxyForwardsPostsAndCallsButNotUnderscoreEvents: an event posted
// to a proxy or called on it goes to the remote session (a call returns
// nil); events whose names start with "_" stay local; events posted just
// before an unsubscribe still go, and the answers to them come back after
// the proxy is gone, since they travel to the poster's published alias,
// not through the proxy. Perl's Proxy::_default returns for /^_/ and its
// _shutdown only removes aliases.
func TestProxyForwardsPostsAndCallsButNotUnderscoreEvents(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		service(srv)
		me := subscriber(cli)
		watch(cli, me, "err", MonitorError)
		cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
		cli.rec.expect(t, "subscribed [poe://Server/svc]")
		cli.session("poster", kernel.States{"reply": func(e *kernel.Event) any {
			cli.rec.add("poster reply %s", argsString(e.Args))
			return nil
		}, "go": func(e *kernel.Event) any {
			v, err := e.Kernel.Call("svc", "method", "called")
			cli.rec.add("call returned %v %v", v, err)
			e.Kernel.Post("svc", "_hidden", "x")
			e.Kernel.Post("svc", "method", "before")
			cli.r.Unsubscribe("poe://Server/svc")
			e.Kernel.Post("svc", "method", "queued")
			return nil
		}})
		cli.do(func(*kernel.Event) { cli.r.Publish("poster", "reply") })
		cli.k.Post("poster", "go")
		cli.rec.expect(t, "call returned <nil> <nil>")
		srv.rec.expect(t, "method called", "method before", "method queued")
		cli.rec.expect(t, "poster reply r 42", "poster reply r 42", "poster reply r 42")
		cli.do(func(e *kernel.Event) {
			if err := e.Kernel.Post("svc", "method", "after"); err == nil {
				t.Error("the proxy alias still takes posts after unsubscribe")
			}
		})
		srv.rec.quiet(t, cli, srv)
		cli.rec.quiet(t, cli, srv)
	})
}

// TestDoYouHaveAnswers: IKC/do_you_have answers [spec, kernel ID] for a
// published session, or a session and state published together, with the
// spec's empty kernel filled in; anything else is "Refused subscription
// <spec>". Perl's do_you_have (Responder.pm) checks the session and, when
// the spec names one, the state; it dies on a parameter that is not a
// specifier, where Go refuses.
func TestDoYouHaveAnswers(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		service(srv)
		subscriber(cli)
		id := srv.k.ID()
		for _, tc := range []struct {
			name   string
			params any
			want   string
		}{
			{"a published session is granted", []any{"poe://Server/svc", "x"}, "[map[kernel:Server session:svc state:] " + id + "]"},
			{"a published state is granted", []any{"poe://Server/svc/method", "x"}, "[map[kernel:Server session:svc state:method] " + id + "]"},
			{"an empty kernel is filled with the kernel ID", []any{map[string]any{"session": "svc"}, "x"}, "[map[kernel:" + id + " session:svc state:] " + id + "]"},
			{"an unpublished state is refused", []any{"poe://Server/svc/nosuch", "x"}, "Refused subscription poe://Server/svc/nosuch"},
			{"an unpublished session is refused", []any{"poe://Server/nosuch", "x"}, "Refused subscription poe://Server/nosuch"},
			{"params that are not a list are refused", "poe://Server/svc", "Refused subscription string"},
			{"an empty list is refused", []any{}, "Refused subscription []interface {}"},
			{"a spec that does not parse is refused", []any{int64(7), "x"}, "Refused subscription int64"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cli.do(func(*kernel.Event) {
					if err := cli.r.Call("poe://Server/IKC/do_you_have", tc.params, "poe:/me/reply"); err != nil {
						t.Error(err)
					}
				})
				got := cli.rec.next(t)
				if got != "reply "+tc.want {
					t.Fatalf("got %q, want %q", got, "reply "+tc.want)
				}
			})
		}
	})
}

// TestAReplyToARequestWithoutFromIsDropped: a handler that answers
// through its SENDER a request that carried no from (sent by a session
// with no published alias) has its answer dropped with a warning; Perl's
// thunk warns "Attempt to respond to an anonymous foreign post".
func TestAReplyToARequestWithoutFromIsDropped(t *testing.T) {
	srvRec := newRecorder()
	srv := newSide(t, "Server", logTo(srvRec))
	cli := newSide(t, "Client")
	connect(t, srv, cli, codecs[0], nil, nil)
	service(srv)
	subscriber(cli)
	cli.do(func(*kernel.Event) {
		if _, err := cli.r.Post("poe://Server/svc/method", "anon"); err != nil {
			t.Error(err)
		}
	})
	srv.rec.expect(t, "method anon")
	srvRec.expect(t, `log Event "reply" posted to a thunk whose request had no from; dropped`)
	cli.rec.quiet(t, cli, srv)
}

// TestBadUnsubscribeSpecifierIsWarnedAbout: unsubscribing from something
// that is not a specifier warns and touches no proxy.
func TestBadUnsubscribeSpecifierIsWarnedAbout(t *testing.T) {
	logs := newRecorder()
	srv := newSide(t, "Server")
	cli := newSide(t, "Client", logTo(logs))
	connect(t, srv, cli, codecs[0], nil, nil)
	service(srv)
	me := subscriber(cli)
	cli.k.Post(me, "subscribe", []string{"poe://Server/svc"})
	cli.rec.expect(t, "subscribed [poe://Server/svc]")
	cli.do(func(*kernel.Event) { cli.r.Unsubscribe("") })
	logs.expect(t, "log Bad unsubscribe specifier ''")
	cli.k.Post(me, "send", "svc", "kept")
	srv.rec.expect(t, "method kept")
}

// TestCallTimeoutOfItsOwn: CallTimeout with no timeout (zero or negative)
// waits even when the responder has a default, so the answer that comes
// late is still delivered; after IKC shut down it reports ErrShutdown.
// Perl IKC has no call timeouts.
func TestCallTimeoutOfItsOwn(t *testing.T) {
	srv, cli, _, _ := pair(t, codecs[0], WithCallTimeout(time.Millisecond))
	got := make(chan any, 2)
	release := make(chan struct{})
	srv.session("slow", kernel.States{"late": func(e *kernel.Event) any {
		<-release // answers only once the caller's default would have passed
		return e.Arg(0)
	}})
	srv.do(func(*kernel.Event) { srv.r.Publish("slow", "late") })
	cli.session("caller", kernel.States{"reply": func(e *kernel.Event) any { got <- e.Arg(0); return nil }})
	for _, d := range []time.Duration{0, -time.Second} {
		t.Run(fmt.Sprintf("a timeout of %s waits for the answer", d), func(t *testing.T) {
			cli.do(func(*kernel.Event) {
				if err := cli.r.CallTimeout("poe://Server/slow/late", d.String(), "poe:/caller/reply", d); err != nil {
					t.Error(err)
				}
			})
			cli.do(func(*kernel.Event) {
				if n := cli.r.pendingCalls(); n != 1 {
					t.Errorf("%d calls pending, want 1", n)
				}
			})
			time.Sleep(10 * time.Millisecond) // past the default timeout, which must not apply
			release <- struct{}{}
			select {
			case v := <-got:
				if v != d.String() {
					t.Fatalf("rsvp got %#v", v)
				}
			case <-time.After(waitFor):
				t.Fatal("no answer")
			}
		})
	}
	t.Run("after IKC shut down it reports ErrShutdown", func(t *testing.T) {
		cli.do(func(*kernel.Event) { cli.r.Shutdown() })
		cli.do(func(*kernel.Event) {})
		if err := cli.r.CallTimeout("poe://Server/slow/late", 1, "poe:/caller/reply", time.Second); err != ErrShutdown {
			t.Fatalf("err = %v, want ErrShutdown", err)
		}
	})
}
