// This file mirrors IKC's t/40_monitor.t: a parent server kernel and a
// child client kernel watch each other with IKC monitors: register and
// unregister, subscribe (accepted, refused, unknown kernel), channel
// ready and close with a numeric channel ID, and errors with operations
// resolve, subscribe, local-check and remote-check (poe://Parent/not/there)
// and channel-read when the child goes away; no error message ends in a
// newline; a published state answers through IKC/post to a specifier
// passed in its params.
package ikc_test

import (
	"strings"
	"testing"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

func TestMonitorsSeeRegistrationsSubscriptionsAndErrors(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		rec := newRecorder()
		errLine := func(who string, e *kernel.Event) {
			op, msg := e.ArgString(4), e.ArgString(5)
			if strings.HasSuffix(msg, "\n") {
				t.Errorf("%s: %s error ends in a newline: %q", who, op, msg)
			}
			rec.add("%s error %s %s", who, op, msg)
		}
		srv, ep := startServer(t, newEndpoint(t, c), serverSpec{
			Opts: server.Options{Name: "Parent", Protocol: other(c.Protocol)},
			Start: func(e *kernel.Event) {
				e.Kernel.Post(responder.Alias, "monitor", "Child", map[string]string{
					"register": "register", "unregister": "unregister", "error": "child_error"})
				e.Kernel.Post(responder.Alias, "publish", "parent", []string{"req"})
				e.Kernel.Post(responder.Alias, "monitor", "*", map[string]string{"channel": "channel"})
				e.Kernel.Post(responder.Alias, "monitor", "Parent", map[string]string{"error": "parent_error"})
				e.Kernel.AliasSet("parent")
			},
			States: kernel.States{
				"register": func(e *kernel.Event) any { rec.add("parent: register %v", e.Arg(1)); return nil },
				"unregister": func(e *kernel.Event) any {
					rec.add("parent: unregister %v", e.Arg(1))
					e.Kernel.Post(responder.Alias, "shutdown")
					return nil
				},
				"child_error":  func(e *kernel.Event) any { errLine("parent: Child", e); return nil },
				"parent_error": func(e *kernel.Event) any { errLine("parent: Parent", e); return nil },
				"channel": func(e *kernel.Event) any {
					if e.Arg(2) == nil {
						return nil // aliases; the kernel ID is reported once
					}
					_, isInt := e.Arg(5).(int)
					rec.add("parent: channel %v numeric %v", e.Arg(4), isInt && e.ArgInt(5) > 0)
					return nil
				},
				"req": func(e *kernel.Event) any {
					args, _ := e.Arg(0).(map[string]any)
					rec.add("parent: req")
					e.Kernel.Post(responder.Alias, "post", args["resp"], 17)
					return nil
				},
				"_ikc_shutdown": func(e *kernel.Event) any {
					e.Kernel.AliasRemove("test")
					e.Kernel.AliasRemove("parent")
					return nil
				},
			},
		})
		cli := startClient(t, c, ep, clientSpec{
			Opts: client.Options{Name: "Child"},
			Start: func(e *kernel.Event) {
				e.Kernel.AliasSet("child")
				e.Kernel.Post(responder.Alias, "monitor", "Parent", map[string]string{
					"register": "register", "unregister": "unregister", "subscribe": "subscribe", "error": "error"})
				e.Kernel.Post(responder.Alias, "monitor", "*", map[string]string{"error": "error"})
				e.Kernel.Post(responder.Alias, "publish", "child", []string{"resp"})
			},
			States: kernel.States{
				"register": func(e *kernel.Event) any {
					rec.add("child: register %v", e.Arg(1))
					e.Kernel.Call(responder.Alias, "subscribe", []string{
						"poe://Parent/parent", "poe://Parent/unknown", "poe://Unknown/unknown"})
					return nil
				},
				"unregister": func(e *kernel.Event) any {
					rec.add("child: unregister %v", e.Arg(1))
					e.Kernel.AliasRemove("child")
					e.Kernel.AliasRemove("Client")
					return nil
				},
				"error": func(e *kernel.Event) any { errLine("child:", e); return nil },
				"subscribe": func(e *kernel.Event) any {
					spec, _ := e.Arg(4).(map[string]any)
					rec.add("child: subscribe kernel %v session %v", spec["kernel"], spec["session"])
					e.Kernel.Post(responder.Alias, "post", "poe://Parent/not/there",
						map[string]any{"resp": "poe://Child/child/resp"})
					e.Kernel.Post("poe://Parent/parent", "req", map[string]any{"resp": "poe://Child/child/resp"})
					return nil
				},
				"resp": func(e *kernel.Event) any {
					rec.add("child: answer %v", num(e.Arg(0)))
					e.Kernel.Post(responder.Alias, "shutdown")
					return nil
				},
			},
		})
		rec.waitFor(t,
			"parent: register Child",
			"child: register Parent",
			"parent: channel ready numeric true",
			"child: subscribe kernel Parent session parent",
			"parent: req",
			"child: answer 17",
			"parent: unregister Child",
			"parent: channel close numeric true",
		)
		cli.end(t, "client")
		srv.end(t, "server")
		lines := rec.all()
		for _, want := range []string{
			"child: error resolve *Unknown kernel 'Unknown'*",
			"child: error subscribe *Unknown kernel Unknown",
			"child: error subscribe *Refused subscription*",
			"parent: Parent error local-check *poe://Parent/not/there*",
			"child: error remote-check Session 'not'*",
			"parent: Child error channel-read [0] *|parent: Child error channel-read [104] *",
		} {
			if !anyMatch(lines, want) {
				t.Errorf("no line like %q in:\n  %s", want, strings.Join(lines, "\n  "))
			}
		}
	})
}

// anyMatch reports whether a line matches pattern: alternatives split by
// "|", each a prefix and "*" standing for any text.
func anyMatch(lines []string, pattern string) bool {
	for _, alt := range strings.Split(pattern, "|") {
		parts := strings.Split(alt, "*")
		for _, l := range lines {
			if matchParts(l, parts) {
				return true
			}
		}
	}
	return false
}

func matchParts(s string, parts []string) bool {
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 && p != "" {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}
