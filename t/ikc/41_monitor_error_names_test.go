package ikc_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// TestMonitorErrorsNameTheProxiedStateAndTellRefusalsToStar holds two
// details of IKC's error reports that the randomized differential test
// against Perl IKC 0.2402 found (the sequence was taken from Perl):
//
//   - a post through a proxy to a state the server has not published is
//     reported, on both kernels, as "Request poe://Srv/test/hidden", the
//     real state, not ".../IKC:proxy" (Perl's _error_response names $to
//     after _req_args has put the real state in it);
//   - a refused subscription reaches the monitors of "*" only, with "*" as
//     the kernel (Perl's _subscribe_receipt calls inform_monitors('*')),
//     not the monitors of the kernel that refused.
func TestMonitorErrorsNameTheProxiedStateAndTellRefusalsToStar(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := newRecorder()
		var ck *kernel.Kernel
		monitorError := func(e *kernel.Event) any {
			rec.add("%s error %v %s %s", e.ArgString(0), e.Arg(1), e.ArgString(4), e.ArgString(5))
			return nil
		}
		srv, ep := startServer(t, newEndpoint(t, c), serverSpec{
			Opts:    server.Options{Name: "Srv", Protocol: c.Protocol},
			Publish: []string{"ok"},
			States: kernel.States{
				"ok":           func(*kernel.Event) any { return nil },
				"hidden":       func(*kernel.Event) any { rec.add("hidden ran"); return nil },
				"server_error": monitorError,
				"gone": func(e *kernel.Event) any {
					e.Kernel.Post(responder.Alias, "shutdown")
					return nil
				},
			},
			Start: func(e *kernel.Event) {
				e.Kernel.Post(responder.Alias, "monitor", "*", map[string]string{"error": "server_error", "unregister": "gone"})
			},
		})
		cli := startClient(t, c, ep, clientSpec{
			Opts: client.Options{Name: "Cli", OnConnect: func() { ck.Post("Client", "go") }},
			States: kernel.States{
				"error": monitorError,
				"go": func(e *kernel.Event) any {
					e.Kernel.Post(responder.Alias, "subscribe", []string{"poe://Srv/test"}, "subscribed")
					return nil
				},
				"subscribed": func(e *kernel.Event) any {
					rec.add("subscribed %v", e.Arg(0))
					if specs, _ := e.Arg(0).([]string); len(specs) == 1 {
						e.Kernel.Post("poe://Srv/test", "hidden", 1)
						e.Kernel.Post(responder.Alias, "subscribe", []string{"poe://Srv/nothere"}, "subscribed")
						return nil
					}
					e.Kernel.Post(responder.Alias, "shutdown")
					return nil
				},
			},
			Start: func(e *kernel.Event) {
				e.Kernel.Post(responder.Alias, "monitor", "*", map[string]string{"error": "error"})
				e.Kernel.Post(responder.Alias, "monitor", "Srv", map[string]string{"error": "error"})
				ck = e.Kernel
			},
		})
		cli.end(t, "client")
		srv.end(t, "server")
		// The "*" in these lines is the literal kernel name, not a
		// wildcard: a line naming "Srv" must not stand for one naming "*".
		text := "Session 'test' has not published state 'hidden'.  Request poe://Srv/test/hidden"
		lines := rec.all()
		for _, w := range []string{
			"subscribed [poe://Srv/test]",
			"* error * subscribe Refused subscription poe://Srv/nothere",
			"subscribed []",
		} {
			if !slices.Contains(lines, w) {
				t.Errorf("no line %q in:\n  %s", w, strings.Join(lines, "\n  "))
			}
		}
		for _, prefix := range []string{
			"* error Srv local-check " + text,
			"* error Srv remote-check " + text,
			"Srv error Srv remote-check " + text,
		} {
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) }) {
				t.Errorf("no line starting %q in:\n  %s", prefix, strings.Join(lines, "\n  "))
			}
		}
		for _, l := range lines {
			if strings.Contains(l, "/IKC:proxy") || strings.HasPrefix(l, "Srv error Srv subscribe Refused") || l == "hidden ran" {
				t.Errorf("unexpected %q", l)
			}
		}
	})
}
