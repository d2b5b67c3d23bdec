// This file mirrors IKC's t/31_concurrency.t: a server limited to 4
// concurrent connections serves 10 ClientLite clients at once, each doing
// call, post_respond and post; the register monitors never count more
// than 4 connected clients, the count never goes below zero, and the
// server shuts down once all 10 have gone.
package ikc_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

func TestConcurrencyLimitsConnectedClients(t *testing.T) {
	const clients, limit = 10, 4
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := newRecorder()
		connected, most, gone := 0, 0, 0
		srv, ep := liteServer(t, rec, newEndpoint(t, c), server.Options{Concurrency: limit, Protocol: other(c.Protocol)},
			func(e *kernel.Event) {
				for i := range clients {
					e.Kernel.Post(responder.Alias, "monitor", fmt.Sprintf("Lite%dClient", i), map[string]string{
						"register": "lite_register", "unregister": "lite_unregister"})
				}
			},
			kernel.States{
				"lite_register": func(e *kernel.Event) any {
					connected++
					most = max(most, connected)
					if connected > limit {
						t.Errorf("%d clients connected at once, limit %d", connected, limit)
					}
					return nil
				},
				"lite_unregister": func(e *kernel.Event) any {
					if connected--; connected < 0 {
						t.Errorf("connected count went below zero: %d", connected)
					}
					if gone++; gone == clients {
						t.Logf("at most %d clients were connected at once", most)
						rec.add("all gone")
						e.Kernel.Post(responder.Alias, "shutdown")
					}
					return nil
				},
			})
		defer srv.end(t, "server")

		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lc := liteConnect(t, c, ep, fmt.Sprintf("Lite%dClient", i))
				defer lc.Disconnect()
				n, err := lc.Call("test/fetchQ", nil)
				if err != nil || num(n) != 7 {
					t.Errorf("client %d: fetchQ = %#v, %v", i, n, err)
					return
				}
				if n, err = lc.PostRespond("test/add_1", n); err != nil || num(n) != 8 {
					t.Errorf("client %d: add_1 = %#v, %v", i, n, err)
					return
				}
				if err := lc.Post("test/here", n); err != nil {
					t.Errorf("client %d: here: %v", i, err)
				}
			}()
		}
		wg.Wait()
		want := []string{}
		for range clients {
			want = append(want, "fetchQ", "add_1 7", "here 8")
		}
		rec.waitFor(t, want...)
		rec.waitFor(t, "all gone")
	})
}
