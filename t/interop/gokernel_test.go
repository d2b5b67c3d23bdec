package interop_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// report is something that happened in a Go kernel: a published state
// was run, a monitor fired, an answer came.
type report struct {
	kind string // "record", "pub", "called_back", "answer", "monitor <type>", ...
	args []any
}

func (r report) String() string { return fmt.Sprintf("%s %#v", r.kind, r.args) }

// goKernel is a Go kernel running on its own goroutine with the sessions
// the interop scenarios use (the same as perl/ikc-server.pl publishes):
//
//   - "echo", publishing echo, add, nested, big, utf8, list, nothing,
//     record, add_1, post_back and sender_back;
//   - "pub", publishing record, which reports and answers its SENDER;
//   - "ctl", publishing called_back, which runs functions the test posts
//     (state "do") on the loop and reports answers and callbacks;
//   - a monitor of "*" reporting register, unregister, subscribe and error.
//
// Handlers report to the reports channel; the test reads it with expect.
type goKernel struct {
	t       *testing.T
	k       *kernel.Kernel
	reports chan report
	done    chan error
	backlog []report
}

// startGoKernel creates the kernel named name, runs setup on it before
// Run (to spawn a server, for example), creates the sessions and runs
// the kernel. The kernel is stopped when the test ends.
func startGoKernel(t *testing.T, name string, setup func(g *goKernel) error) *goKernel {
	t.Helper()
	g := newGoKernel(t, name, setup)
	g.sessions()
	g.run("ctl")
	return g
}

// newGoKernel creates the kernel named name and runs setup on it; if
// setup fails, the kernel is closed and the test ends.
func newGoKernel(t *testing.T, name string, setup func(g *goKernel) error) *goKernel {
	t.Helper()
	g := &goKernel{t: t, k: kernel.MustNew(kernel.WithName(name)), reports: make(chan report, 256), done: make(chan error, 1)}
	if err := setup(g); err != nil {
		g.k.Close()
		t.Fatal(err)
	}
	return g
}

// run runs the kernel on its own goroutine until the test ends; then
// stop ends it through the session stopper's state "stop".
func (g *goKernel) run(stopper string) {
	go func() { g.done <- g.k.Run() }()
	g.t.Cleanup(func() { g.stop(stopper) })
}

// send reports without ever blocking the loop.
func (g *goKernel) send(kind string, args ...any) {
	select {
	case g.reports <- report{kind, append([]any(nil), args...)}:
	default:
		g.t.Errorf("report dropped: %s %#v", kind, args)
	}
}

func (g *goKernel) sessions() {
	k := g.k
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("echo")
			e.Kernel.Post("IKC", "publish", "echo", []string{"echo", "add", "nested", "big", "utf8",
				"list", "nothing", "record", "add_1", "post_back", "sender_back"})
			return nil
		},
		"echo": func(e *kernel.Event) any { return e.Arg(0) },
		"add": func(e *kernel.Event) any {
			var sum int64
			l, _ := e.Arg(0).([]any)
			for _, v := range l {
				n, _ := v.(int64)
				sum += n
			}
			return sum
		},
		"nested": func(e *kernel.Event) any {
			return map[string]any{
				"list":  []any{1, "two", []any{3, map[string]any{"four": 4}}},
				"hash":  map[string]any{"a": map[string]any{"b": map[string]any{"c": "deep"}}},
				"undef": nil, "float": 0.5, "negative": -100000,
			}
		},
		"big": func(e *kernel.Event) any { return strings.Repeat("x", 1<<20) },
		"utf8": func(e *kernel.Event) any {
			return utf8Text
		},
		"list":    func(e *kernel.Event) any { return []any{1, 2, 3} },
		"nothing": func(e *kernel.Event) any { return nil },
		"record": func(e *kernel.Event) any {
			g.send("record", e.Args...)
			return nil
		},
		// add_1 and post_back answer a post_respond: ARG0 is [data, rsvp].
		"add_1": func(e *kernel.Event) any {
			l, _ := e.Arg(0).([]any)
			if len(l) == 2 {
				n, _ := l[0].(int64)
				e.Kernel.Post("IKC", "post", l[1], n+1)
			}
			return nil
		},
		"post_back": func(e *kernel.Event) any {
			l, _ := e.Arg(0).([]any)
			if len(l) == 2 {
				e.Kernel.Post("IKC", "post", l[1], l[0])
			}
			return nil
		},
		// sender_back answers through SENDER, the thunk of the request.
		"sender_back": func(e *kernel.Event) any {
			g.send("sender_back", e.Args...)
			e.Kernel.Post(e.Sender, "called_back", "pong", e.Arg(0))
			return nil
		},
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("pub")
			e.Kernel.Post("IKC", "publish", "pub", []string{"record"})
			return nil
		},
		"record": func(e *kernel.Event) any {
			g.send("pub", e.Args...)
			e.Kernel.Post(e.Sender, "called_back", append([]any{"proxied"}, e.Args...)...)
			return nil
		},
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("ctl")
			e.Kernel.Post("IKC", "publish", "ctl", []string{"called_back"})
			e.Kernel.Post("IKC", "monitor", "*", map[string]string{
				"register": "m_register", "unregister": "m_unregister",
				"subscribe": "m_subscribe", "error": "m_error",
			})
			return nil
		},
		"do": func(e *kernel.Event) any {
			e.Arg(0).(func(*kernel.Event))(e)
			return nil
		},
		"stop": func(e *kernel.Event) any {
			e.Kernel.Stop()
			return nil
		},
		"called_back":  func(e *kernel.Event) any { g.send("called_back", e.Args...); return nil },
		"answer":       func(e *kernel.Event) any { g.send("answer", e.Args...); return nil },
		"subscribed":   func(e *kernel.Event) any { g.send("subscribed", e.Args...); return nil },
		"m_register":   func(e *kernel.Event) any { g.send("monitor register", e.Args...); return nil },
		"m_unregister": func(e *kernel.Event) any { g.send("monitor unregister", e.Args...); return nil },
		"m_subscribe":  func(e *kernel.Event) any { g.send("monitor subscribe", e.Args...); return nil },
		"m_error":      func(e *kernel.Event) any { g.send("monitor error", e.Args...); return nil },
	}})
}

// do runs fn on the kernel's loop, in the "ctl" session.
func (g *goKernel) do(fn func(e *kernel.Event)) {
	if err := g.k.Post("ctl", "do", fn); err != nil {
		g.t.Fatalf("post to ctl: %v", err)
	}
}

// expect waits for a report of kind whose args satisfy match (any when
// nil) and returns its args. Reports of other kinds are kept for later.
func (g *goKernel) expect(kind string, match func(args []any) bool, timeout time.Duration) []any {
	g.t.Helper()
	for i, r := range g.backlog {
		if r.kind == kind && (match == nil || match(r.args)) {
			g.backlog = append(g.backlog[:i:i], g.backlog[i+1:]...)
			return r.args
		}
	}
	deadline := time.After(timeout)
	for {
		select {
		case r := <-g.reports:
			if r.kind == kind && (match == nil || match(r.args)) {
				return r.args
			}
			g.backlog = append(g.backlog, r)
		case <-deadline:
			g.t.Fatalf("the Go kernel reported no %s within %v; it reported %v", kind, timeout, g.backlog)
			return nil
		}
	}
}

// argIs matches reports whose argument i equals want.
func argIs(i int, want any) func([]any) bool {
	return func(args []any) bool { return len(args) > i && reflect.DeepEqual(args[i], want) }
}

// stop shuts IKC down, posts "stop" to the session stopper, waits for
// Run to return and closes the kernel.
func (g *goKernel) stop(stopper string) {
	g.k.Post("IKC", "shutdown")
	g.k.Post(stopper, "stop")
	select {
	case <-g.done:
	case <-time.After(10 * time.Second):
		g.t.Errorf("the Go kernel %s did not stop", g.k.Name())
	}
	g.k.Close()
}
