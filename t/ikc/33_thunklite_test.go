// This file mirrors IKC's t/33_thunklite.t: the thunk contract of
// 32_thunk driven by a ClientLite (post, then responded): the answers
// carry the posted argument as their params, post1 and post2 share a
// SENDER, post3 gets a new one and done comes from post3's.
package ikc_test

import (
	"testing"

	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

func TestThunksWithClientLite(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := newRecorder()
		connected := 0
		srv, ep := thunkServer(t, rec, c, newEndpoint(t, c), false,
			func(e *kernel.Event) {
				e.Kernel.Post(responder.Alias, "monitor", "ThunkLiteClient", map[string]string{
					"register": "other_register", "unregister": "other_unregister"})
			},
			kernel.States{
				"other_register": func(e *kernel.Event) any { connected++; return nil },
				"other_unregister": func(e *kernel.Event) any {
					if connected--; connected < 0 {
						t.Errorf("connected count went below zero")
					}
					e.Kernel.Post(responder.Alias, "shutdown")
					return nil
				},
			})
		defer srv.end(t, "server")

		lc := liteConnect(t, c, ep, "ThunkLiteClient")
		defer lc.Disconnect()
		for _, step := range []struct{ post, resp, arg string }{
			{"test/post1", "resp1", "the"},
			{"test/post2", "resp2", "wizard"},
			{"test/post3", "resp3", "walks bye"},
		} {
			if err := lc.Post(step.post, step.arg); err != nil {
				t.Fatalf("post %s: %v", step.post, err)
			}
			got, err := lc.Responded(step.resp)
			if err != nil {
				t.Fatalf("responded %s: %v", step.resp, err)
			}
			if l, ok := got.([]any); ok && len(l) == 1 {
				got = l[0]
			}
			if got != step.arg {
				t.Errorf("responded %s = %#v, want %q", step.resp, got, step.arg)
			}
		}
		if err := lc.Post("test/done", "walks bye"); err != nil {
			t.Fatal(err)
		}
		rec.waitFor(t, "post1 the", "post2 same thunk true", "post3 new thunk true", "done")
	})
}
