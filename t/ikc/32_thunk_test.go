// This file mirrors IKC's t/32_thunk.t (with its helper test-thunk): a
// full IKC client posts post1, post2, post3 and done to the server. post1
// and post2 have the same SENDER (a reused thunk); post2 keeps that SENDER
// (a reference count) and answers later through it, resp2 getting both
// arguments; post3 gets a new SENDER, and done comes from the same SENDER
// as post3.
package ikc_test

import (
	"testing"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// thunkServer is the server of 32_thunk and 33_thunklite. spread says
// whether post2's answer spreads an array argument over several
// arguments (32_thunk) or passes it as one (33_thunklite).
func thunkServer(t *testing.T, rec *recorder, c combo, ep endpoint, spread bool, start func(e *kernel.Event), states kernel.States) (*running, endpoint) {
	var first, second int
	all := kernel.States{
		"post1": func(e *kernel.Event) any {
			first = e.Sender.ID()
			rec.add("post1 %v", e.Arg(0))
			e.Kernel.Post(e.Sender, "resp1", e.Arg(0))
			return nil
		},
		"post2": func(e *kernel.Event) any {
			if e.Sender.ID() != first {
				t.Errorf("post2 SENDER %d, want the same thunk as post1 (%d)", e.Sender.ID(), first)
			}
			rec.add("post2 same thunk %v", e.Sender.ID() == first)
			if _, err := e.Kernel.RefcountIncrement(e.Sender.ID(), "hold on"); err != nil {
				t.Errorf("refcount_increment: %v", err)
			}
			e.Kernel.Yield("post2b", e.Arg(0))
			return nil
		},
		"post2b": func(e *kernel.Event) any {
			if l, ok := e.Arg(0).([]any); ok && spread {
				e.Kernel.Post(first, "resp2", l...)
			} else {
				e.Kernel.Post(first, "resp2", e.Arg(0))
			}
			return nil
		},
		"post3": func(e *kernel.Event) any {
			if e.Sender.ID() == first {
				t.Errorf("post3 SENDER %d is post1's thunk, want a new one", first)
			}
			second = e.Sender.ID()
			rec.add("post3 new thunk %v", second != first)
			e.Kernel.Post(e.Sender, "resp3", e.Arg(0))
			return nil
		},
		"done": func(e *kernel.Event) any {
			if id := e.Sender.ID(); id == first || id != second {
				t.Errorf("done SENDER %d, want post3's thunk %d, not post1's %d", id, second, first)
			}
			rec.add("done")
			if _, err := e.Kernel.RefcountDecrement(first, "hold on"); err != nil {
				t.Errorf("refcount_decrement: %v", err)
			}
			return nil
		},
	}
	for k, h := range states {
		all[k] = h
	}
	return startServer(t, ep, serverSpec{
		Opts:    server.Options{Name: "Inet", Aliases: []string{"Ikc"}, Protocol: other(c.Protocol)},
		Publish: []string{"post1", "post2", "post2b", "post3", "done"},
		Start:   start,
		States:  all,
	})
}

func TestThunksAreReusedUntilKept(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := newRecorder()
		srv, ep := thunkServer(t, rec, c, newEndpoint(t, c), true, nil, nil)
		cli := startClient(t, c, ep, clientSpec{
			Opts: client.Options{Name: "ThunkClient"},
			Start: func(e *kernel.Event) {
				e.Kernel.Post(responder.Alias, "monitor", "Ikc", map[string]string{
					"register": "registered", "unregister": "unregistered"})
				e.Kernel.Post(responder.Alias, "publish", "Client", []string{"resp1", "resp2", "resp3"})
			},
			States: kernel.States{
				"registered": func(e *kernel.Event) any {
					e.Kernel.Post(responder.Alias, "post", "poe://Ikc/test/post1", "I am")
					return nil
				},
				"resp1": func(e *kernel.Event) any {
					rec.add("resp1 %v", e.Arg(0))
					e.Kernel.Post(responder.Alias, "post", "poe://Ikc/test/post2", []any{"IRON", "MAN"})
					return nil
				},
				"resp2": func(e *kernel.Event) any {
					rec.add("resp2 %v %v", e.Arg(0), e.Arg(1))
					e.Kernel.Post(responder.Alias, "post", "poe://Ikc/test/post3", []any{})
					return nil
				},
				"resp3": func(e *kernel.Event) any {
					l, ok := e.Arg(0).([]any)
					rec.add("resp3 empty list %v", ok && len(l) == 0)
					e.Kernel.Post(responder.Alias, "post", "poe://Ikc/test/done")
					return nil
				},
				"unregistered": func(e *kernel.Event) any {
					e.Kernel.Post(responder.Alias, "shutdown")
					e.Kernel.AliasRemove("Client")
					return nil
				},
			},
		})
		rec.waitFor(t, "post1 I am", "resp1 I am", "post2 same thunk true", "resp2 IRON MAN",
			"post3 new thunk true", "resp3 empty list true", "done")
		srv.k.Post(responder.Alias, "shutdown") // after done, as the Perl server does
		srv.end(t, "server")
		cli.end(t, "client")
	})
}
