package interop_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// diffYields is how many generations of the local queue a barrier lets
// run (IKCDiff::YIELDS).
const diffYields = 8

// diffGoSide is a Go kernel playing one half of the differential test. It
// speaks the line protocol of perl/ikc-diff-server.pl or
// perl/ikc-diff-client.pl: commands come through send, and the lines it
// would print come on out. Its session "driver" stops the kernel.
type diffGoSide struct {
	*goKernel
	out  chan string
	lost atomic.Bool
	port int // the server's port
}

// newDiffGoSide creates the kernel named name and runs setup on it, as
// newGoKernel.
func newDiffGoSide(t *testing.T, name string, setup func(g *goKernel) error) *diffGoSide {
	t.Helper()
	return &diffGoSide{goKernel: newGoKernel(t, name, setup), out: make(chan string, 4096)}
}

// emit prints a line; the loop never blocks on it.
func (g *diffGoSide) emit(line string) {
	select {
	case g.out <- line:
	default:
		g.lost.Store(true)
	}
}

func (g *diffGoSide) trace(format string, a ...any) { g.emit("T " + fmt.Sprintf(format, a...)) }

// send posts a command line to the driver session (it hides goKernel's
// send, which reports: the diff side prints lines instead).
func (g *diffGoSide) send(line string) {
	if err := g.k.Post("driver", "command", line); err != nil {
		g.t.Errorf("post to the Go driver session: %v", err)
	}
}

func (g *diffGoSide) lines() <-chan string { return g.out }

func (g *diffGoSide) describe() string {
	if g.lost.Load() {
		return "the Go side dropped lines"
	}
	return ""
}

// yieldStep runs state ARG1 with the rest of the arguments after ARG0
// more generations of the local queue (IKCDiff's yield_step).
func yieldStep(e *kernel.Event) any {
	n, _ := e.Arg(0).(int)
	then, _ := e.Arg(1).(string)
	if n <= 0 {
		e.Kernel.Yield(then, e.Args[2:]...)
		return nil
	}
	e.Kernel.Yield("yield_step", append([]any{n - 1, then}, e.Args[2:]...)...)
	return nil
}

func yields(e *kernel.Event, then string, args ...any) {
	e.Kernel.Yield("yield_step", append([]any{diffYields, then}, args...)...)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != "" && x != "0"
	case int:
		return x != 0
	case int64:
		return x != 0
	}
	return true
}

// addMonitorStates adds the m_<type> states of IKCDiff::monitor_states.
func (g *diffGoSide) addMonitorStates(st kernel.States) {
	for _, typ := range []string{"register", "unregister", "subscribe", "unsubscribe", "error", "channel", "shutdown"} {
		st["m_"+typ] = func(e *kernel.Event) any {
			a := append(slices.Clone(e.Args), make([]any, 4)...)[:max(4, len(e.Args))]
			rest := a[4:]
			if typ == "channel" && len(rest) > 1 {
				rest = rest[:1]
			}
			if typ == "error" && a[4] == "call" {
				return nil // the monitor side of the same Go extension (see answer)
			}
			k := "u"
			if a[1] != nil {
				k = fmt.Sprint(a[1])
			}
			g.trace("MON %s name=%v k=%s real=%d data=%s rest=%s", typ, a[0], k, b2i(truthy(a[2])), dumpValue(a[3]), dumpArgs(rest))
			return nil
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func monitorEvents(events []string, data any) map[string]any {
	m := map[string]any{}
	for _, ev := range events {
		m[ev] = "m_" + ev
	}
	if len(m) > 0 {
		m["data"] = data
	}
	return m
}

// serverState is IKCDiff::server_state.
func (g *diffGoSide) serverState(alias, state string) kernel.Handler {
	return func(e *kernel.Event) any {
		g.trace("H %s/%s n=%d args=%s", alias, state, len(e.Args), dumpArgs(e.Args))
		switch {
		case strings.HasPrefix(state, "ans"):
			return []any{alias, state, len(e.Args), e.Arg(0)}
		case strings.HasPrefix(state, "back"):
			e.Kernel.Post(e.Sender, "cb", append([]any{"back", alias, state}, e.Args...)...)
			return "ok " + state
		}
		return nil
	}
}

// startDiffGoServer is perl/ikc-diff-server.pl in Go: a kernel named Srv
// with an IKC server on 127.0.0.1 and its session "ctl".
func startDiffGoServer(t *testing.T) *diffGoSide {
	port := 0
	g := newDiffGoSide(t, "Srv", func(g *goKernel) (err error) {
		port, err = server.Spawn(g.k, server.Options{Name: "Srv"})
		return err
	})
	g.port = port
	scenario := map[string]*kernel.Session{}
	st := kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("ctl")
			e.Kernel.AliasSet("driver")
			e.Kernel.Call("IKC", "publish", "ctl", []string{"sync", "retract", "publish"})
			ev := monitorEvents([]string{"register", "unregister", "subscribe", "unsubscribe", "error", "channel", "shutdown"}, "srv")
			e.Kernel.Call("IKC", "monitor", "*", ev)
			return nil
		},
		"yield_step": yieldStep,
		"stop":       func(e *kernel.Event) any { e.Kernel.Stop(); return nil },
		"say":        func(e *kernel.Event) any { g.emit(e.ArgString(0)); return nil },
		"command": func(e *kernel.Event) any {
			cmd, js, _ := strings.Cut(e.ArgString(0), " ")
			switch cmd {
			case "SETUP":
				var sc diffScenario
				if err := json.Unmarshal([]byte(js), &sc); err != nil {
					g.emit("BAD " + err.Error())
					return nil
				}
				for _, s := range sc.Sessions {
					states := kernel.States{
						"_start": func(e *kernel.Event) any {
							e.Kernel.AliasSet(s.Alias)
							if len(s.Published) > 0 {
								e.Kernel.Call("IKC", "publish", s.Alias, s.Published)
							}
							return nil
						},
						"bye": func(e *kernel.Event) any { e.Kernel.AliasRemove(s.Alias); return nil },
					}
					for _, name := range s.States {
						states[name] = g.serverState(s.Alias, name)
					}
					scenario[s.Alias] = e.Kernel.Create(kernel.Session{States: states})
				}
				yields(e, "say", "SETUP_DONE")
			case "TEARDOWN":
				aliases := make([]string, 0, len(scenario))
				for a := range scenario {
					aliases = append(aliases, a)
				}
				slices.Sort(aliases)
				for _, a := range aliases {
					e.Kernel.Call("IKC", "retract", a)
					e.Kernel.Post(scenario[a], "bye")
					delete(scenario, a)
				}
				yields(e, "say", "TEARDOWN_DONE")
			default:
				g.emit("BAD command " + e.ArgString(0))
			}
			return nil
		},
		"sync": func(e *kernel.Event) any {
			yields(e, "sync_done", e.Arg(0))
			return nil
		},
		"sync_done": func(e *kernel.Event) any {
			g.trace("SYNC %v", e.Arg(0))
			e.Kernel.Post("IKC", "post", "poe://Cli/cli/synced", e.Arg(0))
			return nil
		},
		"retract": g.publication("retract", "RETRACT", "retracted"),
		"publish": g.publication("publish", "PUBLISH", "published"),
	}
	g.addMonitorStates(st)
	st["m_unregister"] = func(e *kernel.Event) any {
		a := append(slices.Clone(e.Args), nil, nil, nil, nil)
		g.trace("MON unregister name=%v k=%v real=%d data=%s rest=", a[0], a[1], b2i(truthy(a[2])), dumpValue(a[3]))
		if truthy(a[2]) {
			yields(e, "say", "DISCONNECTED")
		}
		return nil
	}
	g.k.Create(kernel.Session{States: st})
	g.run("driver")
	return g
}

// diffCli is what a Go client's scenario session keeps between events.
type diffCli struct {
	i       int
	channel *kernel.Session
}

// startDiffGoClient is perl/ikc-diff-client.pl in Go: a kernel named Cli
// that runs each scenario over a fresh client connection to port.
func startDiffGoClient(t *testing.T, port int) *diffGoSide {
	g := newDiffGoSide(t, "Cli", func(g *goKernel) error {
		responder.Spawn(g.k)
		return nil
	})
	g.k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("driver")
			// Between scenarios nothing else keeps the kernel busy (the
			// Perl client's STDIN wheel does the same there).
			e.Kernel.RefcountIncrement(e.Session, "driver")
			return nil
		},
		"stop": func(e *kernel.Event) any { e.Kernel.Stop(); return nil },
		"command": func(e *kernel.Event) any {
			cmd, js, _ := strings.Cut(e.ArgString(0), " ")
			var sc diffScenario
			if cmd != "RUN" || json.Unmarshal([]byte(js), &sc) != nil {
				g.emit("BAD command " + e.ArgString(0))
				return nil
			}
			g.runScenario(sc, port)
			return nil
		},
	}})
	g.run("driver")
	return g
}

func (g *diffGoSide) runScenario(sc diffScenario, port int) {
	h := &diffCli{}
	st := kernel.States{
		"yield_step": yieldStep,
		"_start": func(e *kernel.Event) any {
			k, self := e.Kernel, e.Session
			k.AliasSet("cli")
			k.Call("IKC", "publish", "cli", []string{"cb", "synced"})
			for _, m := range sc.Monitors {
				k.Call("IKC", "monitor", m.Name, monitorEvents(m.Events, m.Data))
			}
			_, err := client.Spawn(k, client.Options{Port: port, Name: "Cli", Serializers: []string{"Storable"},
				OnConnect: func() {
					h.channel = k.GetActiveSession()
					k.Post(self, "connected")
				}})
			if err != nil {
				g.emit("BAD client: " + err.Error())
			}
			return nil
		},
		"connected": func(e *kernel.Event) any {
			g.trace("CONNECTED")
			yields(e, "barrier", 0)
			return nil
		},
		"barrier": func(e *kernel.Event) any {
			e.Kernel.Post("IKC", "post", "poe://Srv/ctl/sync", e.Arg(0))
			return nil
		},
		"synced": func(e *kernel.Event) any { yields(e, "next"); return nil },
		"next": func(e *kernel.Event) any {
			k := e.Kernel
			h.i++
			op := sc.Ops[h.i-1]
			g.trace("OP %d %s", h.i, op.Op)
			switch op.Op {
			case "post":
				k.Post("IKC", "post", op.Spec, buildValue(op.Payload))
			case "call":
				k.Post("IKC", "call", op.Spec, buildValue(op.Payload), "poe:answer")
			case "subscribe":
				k.Post("IKC", "subscribe", []string{op.Spec}, "subscribed")
			case "unsubscribe":
				k.Post("IKC", "unsubscribe", []string{op.Spec})
			case "ppost":
				args := make([]any, len(op.Args))
				for i, a := range op.Args {
					args[i] = buildValue(a)
				}
				err := k.Post(op.Spec, op.State, args...)
				g.trace("PPOST ok=%d", b2i(err == nil))
			case "retract", "publish":
				var states any // null: every state
				if op.States != nil {
					l := []any{}
					for _, s := range op.States {
						l = append(l, s)
					}
					states = l
				}
				k.Post("IKC", "call", "poe://Srv/ctl/"+op.Op, []any{op.Alias, states}, "poe:answer")
			case "monitor":
				k.Post("IKC", "monitor", op.Name, monitorEvents(op.Events, op.Data))
			case "disconnect":
				k.Call(h.channel, "shutdown")
				yields(e, "finish")
				return nil
			default:
				g.emit("BAD op " + op.Op)
			}
			yields(e, "barrier", h.i)
			return nil
		},
		"answer": func(e *kernel.Event) any {
			// A Go extension: a call whose connection closes before its
			// answer gets a *responder.CallError (Perl's caller waits
			// forever and sees nothing).
			if _, failed := e.Arg(0).(*responder.CallError); !failed {
				g.trace("ANSWER %s", dumpArgs(e.Args))
			}
			return nil
		},
		"cb":         func(e *kernel.Event) any { g.trace("CB %s", dumpArgs(e.Args)); return nil },
		"subscribed": func(e *kernel.Event) any { g.trace("SUBSCRIBED %s", dumpValue(e.Arg(0))); return nil },
		"finish": func(e *kernel.Event) any {
			k := e.Kernel
			names := map[string]bool{}
			for _, m := range sc.Monitors {
				names[m.Name] = true
			}
			for _, op := range sc.Ops {
				if op.Op == "monitor" {
					names[op.Name] = true
				}
			}
			for _, n := range slices.Sorted(maps.Keys(names)) {
				k.Call("IKC", "monitor", n, map[string]any{})
			}
			k.Call("IKC", "retract", "cli")
			k.AliasRemove("cli")
			g.emit("DONE")
			return nil
		},
	}
	g.addMonitorStates(st)
	g.k.Create(kernel.Session{States: st})
}

// publication is the server's ctl state that calls IKC's publish or
// retract with ARG0's [alias, states], traces it as tag, and answers done.
func (g *diffGoSide) publication(op, tag, done string) kernel.Handler {
	return func(e *kernel.Event) any {
		arg, _ := e.Arg(0).([]any)
		arg = append(arg, nil, nil)
		alias, _ := arg[0].(string)
		r, _ := e.Kernel.Call("IKC", op, alias, arg[1])
		g.trace("%s %s %s ret=%s", tag, alias, dumpValue(arg[1]), dumpValue(r))
		return done
	}
}
