package interop_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// diffScenario is one random scenario of the differential test, sent as
// JSON to both halves: the server half reads sessions (SETUP), the client
// half monitors and ops (RUN).
type diffScenario struct {
	Sessions []diffSession `json:"sessions"`
	Monitors []diffMonitor `json:"monitors"`
	Ops      []diffOp      `json:"ops"`
}

// diffSession is a session of the server kernel: its alias, its states
// (the prefix of a name picks the behaviour: rec, ans, none, back; see
// IKCDiff::server_state) and those published at the start.
type diffSession struct {
	Alias     string   `json:"alias"`
	States    []string `json:"states"`
	Published []string `json:"published"`
}

// diffMonitor is a monitor the client's scenario session sets before it
// connects.
type diffMonitor struct {
	Name   string   `json:"name"`
	Events []string `json:"events"`
	Data   string   `json:"data"`
}

// diffOp is one operation of the client:
//
//	post, call    IKC post / call (rsvp poe:answer) of Payload to Spec
//	subscribe     IKC subscribe to Spec, callback subscribed
//	unsubscribe   IKC unsubscribe of Spec
//	ppost         a plain post of State with Args to the proxy alias Spec
//	retract       call of poe://Srv/ctl/retract: the server retracts States
//	              of Alias (all of them when States is null)
//	publish       call of poe://Srv/ctl/publish: the server publishes them
//	monitor       IKC monitor of Name with Events (none: stop watching)
//	disconnect    the client closes its channel; always the last op
type diffOp struct {
	Op      string   `json:"op"`
	Spec    string   `json:"spec,omitempty"`
	Payload any      `json:"payload,omitempty"`
	State   string   `json:"state,omitempty"`
	Args    []any    `json:"args,omitempty"`
	Alias   string   `json:"alias,omitempty"`
	States  []string `json:"states"`
	Name    string   `json:"name,omitempty"`
	Events  []string `json:"events"`
	Data    string   `json:"data,omitempty"`
}

var (
	diffAliases   = []string{"alpha", "beta", "gamma"}
	diffKinds     = []string{"rec", "ans", "none", "back"}
	diffMonEvents = []string{"register", "unregister", "subscribe", "unsubscribe", "error", "channel"}
	diffMonNames  = []string{"*", "Srv"}
	diffOpWeights = []struct {
		op string
		w  int
	}{{"post", 6}, {"call", 6}, {"subscribe", 3}, {"ppost", 4}, {"unsubscribe", 2}, {"retract", 2}, {"publish", 2}, {"monitor", 2}}
	diffOpWeighted []string
)

func init() {
	for _, o := range diffOpWeights {
		for range o.w {
			diffOpWeighted = append(diffOpWeighted, o.op)
		}
	}
}

func pick[T any](r *rand.Rand, l []T) T { return l[r.IntN(len(l))] }

// subset returns the elements of l each kept with probability p/10, in order.
func subset(r *rand.Rand, l []string, p int) []string {
	out := []string{}
	for _, s := range l {
		if r.IntN(10) < p {
			out = append(out, s)
		}
	}
	return out
}

// genScenario returns the scenario of seed and index i: one to three
// server sessions, up to two monitors, 3 to 12 operations and a
// disconnect.
func genScenario(seed uint64, i int) diffScenario {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	sc := diffScenario{Monitors: []diffMonitor{}}
	aliases := slices.Clone(diffAliases)
	r.Shuffle(len(aliases), func(a, b int) { aliases[a], aliases[b] = aliases[b], aliases[a] })
	for _, a := range aliases[:1+r.IntN(len(aliases))] {
		s := diffSession{Alias: a}
		for _, k := range diffKinds {
			for n := range r.IntN(3) {
				s.States = append(s.States, fmt.Sprintf("%s%d", k, n+1))
			}
		}
		if len(s.States) == 0 {
			s.States = []string{"rec1"}
		}
		s.Published = subset(r, s.States, 8)
		sc.Sessions = append(sc.Sessions, s)
	}
	for range r.IntN(3) {
		sc.Monitors = append(sc.Monitors, diffMonitor{
			Name: pick(r, diffMonNames), Events: subset(r, diffMonEvents, 6), Data: fmt.Sprintf("d%d", r.IntN(100))})
	}
	// session picks a scenario session, sometimes one the server lacks.
	session := func() diffSession {
		if r.IntN(12) == 0 {
			return diffSession{Alias: "nosess", States: []string{"rec1"}}
		}
		return pick(r, sc.Sessions)
	}
	state := func(s diffSession) string {
		if r.IntN(10) == 0 {
			return "nostate"
		}
		return pick(r, s.States)
	}
	for range 3 + r.IntN(10) {
		op := diffOp{Op: pick(r, diffOpWeighted)}
		switch op.Op {
		case "post", "call":
			s := session()
			op.Spec = "poe://Srv/" + s.Alias + "/" + state(s)
			switch r.IntN(20) {
			case 0:
				op.Spec = "poe://Nowhere/" + s.Alias + "/rec1"
			case 1:
				op.Spec = "poe://Srv/IKC/ping"
			}
			op.Payload = genValue(r, 3)
		case "subscribe", "unsubscribe":
			op.Spec = "poe://Srv/" + session().Alias
		case "ppost":
			s := session()
			op.Spec = "poe://Srv/" + s.Alias
			op.State = state(s)
			for range r.IntN(4) {
				op.Args = append(op.Args, genValue(r, 2))
			}
		case "retract", "publish":
			s := pick(r, sc.Sessions)
			op.Alias = s.Alias
			if op.Op == "publish" || r.IntN(3) > 0 {
				op.States = subset(r, append(slices.Clone(s.States), "nostate"), 5)
			}
		case "monitor":
			op.Name = pick(r, diffMonNames)
			if r.IntN(4) > 0 {
				op.Events = subset(r, diffMonEvents, 6)
				op.Data = fmt.Sprintf("m%d", r.IntN(100))
			}
		}
		sc.Ops = append(sc.Ops, op)
	}
	sc.Ops = append(sc.Ops, diffOp{Op: "disconnect"})
	return sc
}
