package differential_test

import (
	"fmt"
	"math/rand/v2"
)

// A program is a few session types and the sessions created from them at
// top level before the kernel runs. Both interpreters (interp_test.go and
// testdata/run.pl) read it the same way:
//
//   - A session's name is its type and its creation index in the
//     program ("T1.3"); its _start records it in the registry under that
//     index, which "ref" targets use.
//   - Every handler traces one line: the session's name, the state, its
//     SENDER and its arguments, session references written as names.
//     Then it runs its state's actions, each tracing one line with its
//     result, and returns the state's ret value.
//   - Every event carries a budget n (ARG0 of posts, calls and delays,
//     ARG1 of signals, ARG0 of _start). An action that sends an event or
//     creates a session is skipped when n is 0 and passes n-1 on; POE's
//     own events (_stop, _child, _parent, _default) take their budget
//     from the session's, which each of them decrements. So every
//     program ends.
//   - An extra reference taken (refinc) is given back by the session
//     holding it, through a posted __rel event; aliases are left to POE's
//     IDLE and ZOMBIE signals, which stop the sessions only aliases hold.
type program struct {
	Types map[string]*typeDef `json:"types"`
	Roots []root              `json:"roots"`
	// NoStopCreate skips create in a session whose _stop has begun: see
	// excludeZombieStopCreate.
	NoStopCreate bool `json:"noStopCreate,omitempty"`
}

type typeDef struct {
	States map[string]*stateDef `json:"states"`
}

type stateDef struct {
	Ret string   `json:"ret"`
	Do  []action `json:"do,omitempty"`
}

type root struct {
	Type string `json:"type"`
	N    int    `json:"n"`
	Lab  string `json:"lab,omitempty"`
}

// action is one step of a handler. Op is one of post, yield, call,
// delay_set, delay, delay_add, alarm, alarm_add, alarm_set, alarm_clear
// (alarm with no time), alarm_adjust, delay_adjust, alarm_remove,
// alarm_remove_all, alias_set, alias_remove, create, refinc, detach,
// detach_child, sig, sighandled, signal.
//
// Timers never make a program wait: every alarm is due in the past, off
// whole seconds before now (delay_set, delay_add; delay_adjust sets a new
// offset) or off and a half before the handler's now (alarm, alarm_add,
// alarm_set), so that POE's queue orders them by due time before the
// events posted "now", and the microseconds between handlers never
// change that order. Both interpreters keep each alarm's offset from the
// moment it was set and leave out an alarm_adjust that would move it
// less than half a second before that moment ("future" in the trace).
type action struct {
	Op    string  `json:"op"`
	To    *target `json:"to,omitempty"`
	Ev    string  `json:"ev,omitempty"`    // the event posted, called, delayed; sig's state ("" stops watching)
	Lab   string  `json:"lab,omitempty"`   // ARG1 of what is sent, to tell events apart
	I     int     `json:"i,omitempty"`     // alarm_remove, alarm_adjust, delay_adjust: which of the program's delay_sets and alarm_sets, 0 the latest
	Off   int     `json:"off,omitempty"`   // seconds before now that a timer is due
	D     int     `json:"d,omitempty"`     // alarm_adjust's delta in seconds
	Name  string  `json:"name,omitempty"`  // the alias, or the signal
	Type  string  `json:"type,omitempty"`  // create: the new session's type
	Tag   string  `json:"tag,omitempty"`   // refinc's tag
	Extra *string `json:"extra,omitempty"` // sig: an argument given at registration
}

// target names a session: k is self, sender (the handler's SENDER),
// alias (a, by alias), ref (i, the i-th session the program created),
// parent (the active session's parent, as the kernel has it), child (i,
// the active session's i-th child, the newest first) or kernel (for
// posts, calls and signals).
type target struct {
	K string `json:"k"`
	A string `json:"a,omitempty"`
	I int    `json:"i,omitempty"`
}

var (
	eventNames = []string{"a", "b", "c"}
	aliasNames = []string{"x", "y"}
	// KILL is terminal (unhandled, it stops every session it reached):
	// a session it stops may have created a child in its handler of
	// KILL, which the signal did not reach and which moves to the
	// grandparent. UIDESTROY is nonmaskable: it stops them handled or
	// not.
	sigNames  = []string{"PING", "PONG", "KILL", "KILL", "UIDESTROY"}
	poeStates = []string{"_start", "_stop", "_child", "_parent"}
)

// killsKernel reports whether the interpreters leave out sending signal
// name to the kernel (directly or as a top-level session's parent): they
// send KILL and UIDESTROY to sessions only, as Perl POE 1.370 cannot run
// one sent to the kernel when a session outlives it. The kernel is among
// the sessions the signal reached, and stopping it hands its surviving
// children to its parent, which it has not ("please report this
// stacktrace": _dispatch_event of _child to undef). Reduced: T1.0's
// _start watches KILL and signals the kernel KILL; T0.2's _stop creates
// T0.3, which survives.
func killsKernel(name string) bool { return name != "PING" && name != "PONG" }

// maxSessions bounds the sessions a program creates: a signal reaches a
// whole tree with one budget, so handlers that create on a signal could
// otherwise double the sessions with each one.
const maxSessions = 40

// generator makes random programs from one seeded source.
type generator struct {
	r     *rand.Rand
	types []string
	labs  int
	// family programs give most _starts a signal watcher, a child and a
	// signal, and their handlers a create: sessions that signals stop
	// while children they just made live on (and move up), detach_child
	// and signals sent to a parent or a child.
	family bool
	// timers programs give most _starts a few alarms due in the past
	// with equal and near times, one moved, around posts.
	timers bool
}

// generate returns a program made from seed and index: the same pair
// always gives the same program.
func generate(seed, index uint64) *program {
	g := &generator{r: rand.New(rand.NewPCG(seed, index))}
	g.family, g.timers = g.r.IntN(5) < 2, g.r.IntN(3) == 0
	nt := 2 + g.r.IntN(2)
	for i := range nt {
		g.types = append(g.types, fmt.Sprintf("T%d", i))
	}
	p := &program{Types: map[string]*typeDef{}}
	for _, t := range g.types {
		td := &typeDef{States: map[string]*stateDef{}}
		for _, s := range poeStates {
			max := 2
			if s == "_start" {
				max = 4
			}
			td.States[s] = g.state(t, s, max)
		}
		for _, ev := range eventNames {
			if g.r.IntN(10) < 7 {
				td.States[ev] = g.state(t, ev, 4)
			}
		}
		if g.r.IntN(10) < 6 {
			td.States[privateEvent] = g.state(t, privateEvent, 4)
		}
		if g.r.IntN(4) == 0 {
			td.States["_default"] = g.state(t, "_default", 2)
		}
		p.Types[t] = td
	}
	for range 1 + g.r.IntN(3) {
		n := 1 + g.r.IntN(3)
		if g.family {
			n++ // grandchildren
		}
		p.Roots = append(p.Roots, root{Type: pick(g, g.types), N: n, Lab: g.lab()})
	}
	excludeZombieStopCreate(p)
	return p
}

// excludeZombieStopCreate leaves out one shape Perl POE 1.370 cannot run:
// a session stopped by the ZOMBIE signal (one only an alias held) that
// creates a session in its _stop makes POE die with "please report this
// stacktrace" (_data_sig_free_terminated_sessions stops the new child
// after its parent is gone). Only aliases lead to ZOMBIE here, so in a
// program that sets one, a session whose _stop has begun creates nothing
// (in _stop or in a state it calls from there).
func excludeZombieStopCreate(p *program) {
	aliases := false
	for _, td := range p.Types {
		for _, sd := range td.States {
			for _, a := range sd.Do {
				aliases = aliases || a.Op == "alias_set"
			}
		}
	}
	p.NoStopCreate = aliases
}

// pick draws one of from.
func pick[T any](g *generator, from []T) T { return from[g.r.IntN(len(from))] }

func (g *generator) lab() string {
	g.labs++
	return fmt.Sprintf("p%d", g.labs)
}

// state makes a state with up to max actions, fewer more often.
func (g *generator) state(typ, name string, max int) *stateDef {
	sd := &stateDef{Ret: "r" + typ[1:] + name}
	n := g.r.IntN(max + 1)
	if g.r.IntN(3) == 0 {
		n = g.r.IntN(2)
	}
	for len(sd.Do) < n {
		a := g.action()
		if name == privateEvent && g.r.IntN(2) == 0 {
			// Draw the actions that release a session (and what they
			// undo) often enough to matter.
			a = g.actionOf(pick(g, []string{"alias_set", "alias_remove", "alias_remove", "delay_set", "alarm_remove", "alarm_remove", "detach"}))
		}
		// A session that detaches in _parent detaches again in the
		// _parent that detach sends it, before it is reparented, in
		// Perl as here: without end. In _stop it is being collected.
		if a.Op == "detach" && (name == "_stop" || name == "_parent") {
			continue
		}
		sd.Do = append(sd.Do, a)
	}
	if g.family {
		g.addFamily(name, sd)
	}
	if g.timers && name == "_start" && g.r.IntN(3) > 0 {
		sd.Do = append(sd.Do, g.pastTimers()...)
	}
	return sd
}

// addFamily adds to sd what family programs are made for.
func (g *generator) addFamily(name string, sd *stateDef) {
	switch name {
	case "_start":
		if g.r.IntN(3) > 0 {
			sd.Do = append([]action{g.actionOf("sig")}, sd.Do...)
			sd.Do[0].Ev = g.event()
		}
		if g.r.IntN(2) == 0 {
			sd.Do = append(sd.Do, g.actionOf("create"))
		}
		if g.r.IntN(3) == 0 {
			a := g.actionOf("signal")
			a.To = pick(g, []*target{{K: "parent"}, {K: "self"}, {K: "child"}})
			sd.Do = append(sd.Do, a)
		}
	case "a", "b", "c":
		if g.r.IntN(2) == 0 {
			sd.Do = append([]action{g.actionOf("create")}, sd.Do...)
		}
		if g.r.IntN(4) == 0 {
			sd.Do = append(sd.Do, g.actionOf("detach_child"))
		}
	}
}

// pastTimers is a yield and a few alarms due a second or three in the
// past, some at equal times, then often an alarm moved among them.
func (g *generator) pastTimers() []action {
	out := []action{g.actionOf("yield")}
	for range 2 + g.r.IntN(3) {
		a := g.actionOf(pick(g, []string{"alarm_set", "alarm_set", "alarm", "alarm_add", "delay_set", "delay_add"}))
		a.Off = 1 + g.r.IntN(3)
		out = append(out, a)
	}
	if g.r.IntN(3) > 0 {
		a := g.actionOf("alarm_adjust")
		a.D = g.r.IntN(5) - 2
		out = append(out, a)
	}
	if g.r.IntN(6) == 0 {
		out = append(out, g.actionOf("alarm_remove_all"))
	}
	return out
}

// sweepStates run while POE's garbage collector stops sessions. While
// one of them runs (with what it calls), the interpreters skip actions
// aimed at another session, and creates outside _stop itself, which
// excludes a quirk of Perl POE 1.370: its sweep stops every
// session marked when the sweep began, even one that gained a reference
// (a child, an event) from an earlier _stop of the same sweep, where
// this kernel keeps such a session until it is free again. Reduced:
// roots T1 (whose _start creates T0.1) and T0.2, where T0's _stop calls
// T0.1's "b" and "b" creates a T0: Perl stops T0.1 before its new
// child T0.3, this kernel T0.3 then T0.1.
var sweepStates = map[string]bool{"_stop": true, "_child": true, "_parent": true}

// privateEvent is the state only events a session sends itself reach
// (yield, delay, delay_set), where the actions that can leave a session
// without references (alias_remove, alarm_remove, detach) are drawn more
// often, with what they undo.
const privateEvent = "s"

// The actions and how often each is drawn.
var opWeights = []struct {
	op string
	w  int
}{
	{"post", 16}, {"yield", 8}, {"call", 10}, {"delay_set", 6}, {"delay", 4},
	{"alarm_remove", 5}, {"alias_set", 6}, {"alias_remove", 5}, {"create", 8},
	{"refinc", 4}, {"detach", 4}, {"sig", 8}, {"sighandled", 3}, {"signal", 8},
	{"alarm", 3}, {"alarm_add", 3}, {"alarm_set", 4}, {"delay_add", 3},
	{"alarm_clear", 2}, {"alarm_adjust", 5}, {"delay_adjust", 3},
	{"alarm_remove_all", 2}, {"detach_child", 4},
}

var opTotal = func() int {
	n := 0
	for _, o := range opWeights {
		n += o.w
	}
	return n
}()

func (g *generator) action() action {
	x := g.r.IntN(opTotal)
	op := ""
	for _, o := range opWeights {
		if x < o.w {
			op = o.op
			break
		}
		x -= o.w
	}
	return g.actionOf(op)
}

func (g *generator) actionOf(op string) action {
	a := action{Op: op}
	switch op {
	case "post", "call":
		a.To, a.Ev, a.Lab = g.target(true), g.event(), g.lab()
	case "yield", "delay_set", "delay", "delay_add", "alarm", "alarm_add", "alarm_set":
		a.Ev, a.Lab = g.event(), g.lab()
		if g.r.IntN(3) == 0 {
			a.Ev = privateEvent
		}
		if op != "yield" && op != "delay" && (op != "delay_set" || g.r.IntN(2) == 0) {
			a.Off = g.offset()
		}
	case "alarm_clear":
		a.Ev = g.event()
		if g.r.IntN(3) == 0 {
			a.Ev = privateEvent
		}
	case "alarm_remove":
		a.I = g.r.IntN(3)
	case "alarm_adjust":
		a.I, a.D = g.r.IntN(3), g.r.IntN(11)-5
	case "delay_adjust":
		a.I, a.Off = g.r.IntN(3), g.offset()
	case "detach_child":
		a.To = &target{K: "child", I: g.r.IntN(2)}
		if g.r.IntN(4) == 0 {
			a.To = g.target(false)
		}
	case "alias_set", "alias_remove":
		a.Name = pick(g, aliasNames)
	case "create":
		a.Type, a.Lab = pick(g, g.types), g.lab()
	case "refinc":
		a.To, a.Tag = g.target(false), pick(g, []string{"t1", "t2"})
	case "sig":
		a.Name = pick(g, sigNames)
		if g.r.IntN(4) > 0 {
			a.Ev = g.event()
			if g.r.IntN(3) == 0 {
				extra := "x" + g.lab()
				a.Extra = &extra
			}
		}
	case "signal":
		a.To, a.Name, a.Lab = g.target(true), pick(g, sigNames), g.lab()
	}
	return a
}

// offset is how many seconds before now a timer is due: few, so that
// equal times (and so POE's insertion order) come up often.
func (g *generator) offset() int {
	if g.r.IntN(2) == 0 {
		return 1 + g.r.IntN(3)
	}
	return 1 + g.r.IntN(30)
}

// event is a state to send: mostly one the types may have, sometimes one
// none has.
func (g *generator) event() string {
	if g.r.IntN(20) == 0 {
		return "zz"
	}
	return pick(g, eventNames)
}

func (g *generator) target(kernelToo bool) *target {
	x := g.r.IntN(100)
	switch {
	case kernelToo && x < 15:
		return &target{K: "kernel"}
	case x < 35:
		return &target{K: "self"}
	case x < 50:
		return &target{K: "sender"}
	case x < 62:
		return &target{K: "alias", A: pick(g, aliasNames)}
	case x < 70:
		return &target{K: "parent"}
	case x < 78:
		return &target{K: "child", I: g.r.IntN(2)}
	}
	return &target{K: "ref", I: g.r.IntN(6)}
}
