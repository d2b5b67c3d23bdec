// This file mirrors IKC's t/05_perl_freezer.t, the serializer round trip,
// through a live connection instead of freeze and thaw in one process:
// nested data ({foo => "bar", biff => [hello world]}), the same data with
// one array reachable twice, and a deeper structure go to the server and
// come back equal. (Perl's shared-reference and cycle checks have no Go
// counterpart: Go values carry no reference identity across the wire.)
package ikc_test

import (
	"reflect"
	"testing"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

func TestDataSurvivesTheRoundTrip(t *testing.T) {
	biff := []any{"hello", "world"}
	samples := []any{
		map[string]any{"foo": "bar", "biff": biff},
		map[string]any{"foo": "bar", "biff": biff, "biffle": biff},
		map[string]any{"list": []any{int64(1), "two", nil, []any{map[string]any{"n": int64(-3)}}}, "empty": map[string]any{}},
	}
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := newRecorder()
		srv, ep := startServer(t, newEndpoint(t, c), serverSpec{
			Opts:    server.Options{Name: "Inet", Protocol: other(c.Protocol)},
			Publish: []string{"echo"},
			States:  kernel.States{"echo": func(e *kernel.Event) any { return e.Arg(0) }},
		})
		got := 0
		cli := startClient(t, c, ep, clientSpec{
			Opts: client.Options{Name: "Freezer"},
			Start: func(e *kernel.Event) {
				e.Kernel.Post(responder.Alias, "monitor", "Inet", map[string]string{"register": "go"})
			},
			States: kernel.States{
				"go": func(e *kernel.Event) any {
					for _, s := range samples {
						e.Kernel.Post(responder.Alias, "call", "poe://Inet/test/echo", s, "poe:back")
					}
					return nil
				},
				"back": func(e *kernel.Event) any {
					if want := samples[got]; !reflect.DeepEqual(e.Arg(0), want) {
						t.Errorf("sample %d came back as %#v, want %#v", got, e.Arg(0), want)
					}
					rec.add("back %d", got)
					if got++; got == len(samples) {
						e.Kernel.Post(responder.Alias, "shutdown")
						e.Kernel.AliasRemove("Client")
					}
					return nil
				},
			},
		})
		rec.waitFor(t, "back 0", "back 1", "back 2")
		cli.end(t, "client")
		srv.k.Post(responder.Alias, "shutdown")
		srv.end(t, "server")
	})
}
