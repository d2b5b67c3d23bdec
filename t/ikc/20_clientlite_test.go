// This file mirrors IKC's t/20_clientlite.t (with its helper test-lite):
// the ClientLite serializer is available; a ClientLite calls test/fetchQ
// (7), post_responds test/add_1 with it (the server answers 8 by posting
// to the rsvp), then talks again over a new connection that starts with
// the other protocol (Perl forces a reconnect and switches protocol) and
// posts test/here 8. The server sees LiteClient register and unregister
// and shuts down after the second connection ends.
package ikc_test

import (
	"testing"

	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/serial"
)

// liteServer is the server of 20_clientlite and 31_concurrency: fetchQ,
// add_1 (answering through the rsvp it is given) and here.
func liteServer(t *testing.T, rec *recorder, ep endpoint, opts server.Options, start func(e *kernel.Event), states kernel.States) (*running, endpoint) {
	all := kernel.States{
		"fetchQ": func(e *kernel.Event) any { rec.add("fetchQ"); return 6 + 1 },
		"add_1": func(e *kernel.Event) any {
			l, _ := e.Arg(0).([]any)
			if len(l) != 2 {
				t.Errorf("add_1 got %#v", e.Arg(0))
				return nil
			}
			rec.add("add_1 %d", num(l[0]))
			e.Kernel.Yield("add_n", num(l[0]), 1, l[1])
			return nil
		},
		"add_n": func(e *kernel.Event) any {
			e.Kernel.Post(responder.Alias, "post", e.Arg(2), num(e.Arg(0))+num(e.Arg(1)))
			return nil
		},
		"here": func(e *kernel.Event) any { rec.add("here %d", num(e.Arg(0))); return nil },
	}
	for k, h := range states {
		all[k] = h
	}
	if opts.Name == "" {
		opts.Name, opts.Aliases = "Inet", []string{"Ikc"}
	}
	return startServer(t, ep, serverSpec{Opts: opts, Publish: []string{"fetchQ", "add_1", "here"}, Start: start, States: all})
}

func TestClientLiteCallsPostsAndReconnects(t *testing.T) {
	for _, name := range []string{"Storable", "POE::Component::IKC::Go::MsgPack"} {
		if _, err := serial.Lookup(name); err != nil {
			t.Errorf("serializer %s: %v", name, err)
		}
	}
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := newRecorder()
		regs := 0
		srv, ep := liteServer(t, rec, newEndpoint(t, c), server.Options{Protocol: other(c.Protocol)},
			func(e *kernel.Event) {
				e.Kernel.Post(responder.Alias, "monitor", "LiteClient", map[string]string{
					"register": "lite_register", "unregister": "lite_unregister"})
			},
			kernel.States{
				"lite_register": func(e *kernel.Event) any { rec.add("register %v", e.Arg(1)); return nil },
				"lite_unregister": func(e *kernel.Event) any {
					rec.add("unregister %v", e.Arg(1))
					if regs++; regs == 2 {
						e.Kernel.Post(responder.Alias, "shutdown")
					}
					return nil
				},
			})
		defer srv.end(t, "server")

		lc := liteConnect(t, c, ep, "LiteClient")
		n, err := lc.Call("test/fetchQ", nil)
		if err != nil || num(n) != 7 {
			t.Fatalf("call test/fetchQ = %#v, %v; want 7", n, err)
		}
		n, err = lc.PostRespond("test/add_1", n)
		if err != nil || num(n) != 8 {
			t.Fatalf("post_respond test/add_1 = %#v, %v; want 8", n, err)
		}
		if err := lc.Disconnect(); err != nil {
			t.Error(err)
		}
		rec.waitFor(t, "unregister LiteClient")

		c.Protocol = other(c.Protocol)
		lc = liteConnect(t, c, ep, "LiteClient")
		if err := lc.Post("test/here", n); err != nil {
			t.Fatal(err)
		}
		rec.waitFor(t, "here 8")
		lc.Disconnect()
		rec.waitFor(t, "fetchQ", "add_1 7", "here 8", "register LiteClient", "register LiteClient",
			"unregister LiteClient", "unregister LiteClient")
	})
}
