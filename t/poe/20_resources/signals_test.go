package resources_test

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestSignalKinds mirrors the type table of POE's
// t/20_resources/00_base/signals.pm (POE-SEMANTICS 5.2).
func TestSignalKinds(t *testing.T) {
	cases := []struct {
		name string
		want kernel.SignalKind
	}{
		{"QUIT", kernel.Terminal}, {"INT", kernel.Terminal}, {"KILL", kernel.Terminal},
		{"TERM", kernel.Terminal}, {"HUP", kernel.Terminal}, {"IDLE", kernel.Terminal},
		{"DIE", kernel.Terminal}, {"ZOMBIE", kernel.Nonmaskable}, {"UIDESTROY", kernel.Nonmaskable},
		{"USR1", kernel.Benign}, {"CHLD", kernel.Benign}, {"nonexistent", kernel.Benign},
	}
	for _, c := range cases {
		t.Run(c.name+" has its POE kind", func(t *testing.T) {
			if got := kernel.KindOf(c.name); got != c.want {
				t.Errorf("KindOf(%q) = %v, want %v", c.name, got, c.want)
			}
		})
	}
}

// tree creates P with children C and D, and C's child G, all watching
// signal name (with handled deciding whether they call SigHandled) and
// recording what they see and when they stop. It returns after P's _start.
func tree(k *kernel.Kernel, tr *trail, name string, handled map[string]bool) {
	var node func(label string, kids ...func(*kernel.Event)) kernel.Session
	node = func(label string, kids ...func(*kernel.Event)) kernel.Session {
		return kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet(label)
				e.Kernel.Sig(name, "sig", "extra")
				for _, kid := range kids {
					kid(e)
				}
				return nil
			},
			"sig": func(e *kernel.Event) any {
				tr.Add("%s got %v", label, e.Args)
				if handled[label] {
					e.Kernel.SigHandled()
				}
				return nil
			},
			"_stop":  func(e *kernel.Event) any { tr.Add("%s stops", label); return nil },
			"_child": nop, "_parent": nop,
		}}
	}
	spawn := func(s kernel.Session) func(*kernel.Event) { return func(e *kernel.Event) { e.Kernel.Create(s) } }
	k.Create(node("P", spawn(node("C", spawn(node("G")))), spawn(node("D"))))
}

// signalAndEnd signals dest once the tree is built, then ends every
// survivor with ZOMBIE, which stops the deepest first (G, D, C, P).
func signalAndEnd(k *kernel.Kernel, dest, name string, args ...any) {
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Signal(dest, name, args...)
			e.Kernel.Delay("end", time.Millisecond)
			return nil
		},
		"end": func(e *kernel.Event) any {
			for _, a := range []string{"P", "C", "D", "G"} {
				e.Kernel.Signal(a, "ZOMBIE")
			}
			return nil
		},
	}})
}

// TestSignalDelivery checks POE-SEMANTICS 5.2's verified order: a signal
// reaches the deepest descendants first and its target last, with ARG0 the
// signal name, then the signal's arguments, then the watcher's.
func TestSignalDelivery(t *testing.T) {
	k := newKernel(t)
	var tr trail
	tree(k, &tr, "USR1", nil)
	signalAndEnd(k, "P", "USR1", "payload")
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if len(tr) < 4 {
		t.Fatalf("events: %v", tr)
	}
	got := tr[:4]
	if got[0] != "G got [USR1 payload extra]" || got[3] != "P got [USR1 payload extra]" {
		t.Errorf("delivery %v: want G first and P last", got)
	}
	mid := map[string]bool{got[1]: true, got[2]: true}
	if !mid["C got [USR1 payload extra]"] || !mid["D got [USR1 payload extra]"] {
		t.Errorf("delivery %v: want C and D between G and P", got)
	}
}

// TestSignalTypes mirrors the dispatch checks of signals.pm: an unhandled
// terminal signal stops every session it reached, deepest first, and spares
// the others; one SigHandled anywhere spares them all; a benign signal
// stops nobody; a nonmaskable one stops them even when handled.
func TestSignalTypes(t *testing.T) {
	cases := []struct {
		name    string
		signal  string
		handled map[string]bool
		want    []string
	}{
		{
			name:   "an unhandled TERM to C stops G then C and spares P and D",
			signal: "TERM",
			want:   []string{"G got [TERM extra]", "C got [TERM extra]", "G stops", "C stops", "D stops", "P stops"},
		},
		{
			name:    "a TERM handled by G alone stops nobody",
			signal:  "TERM",
			handled: map[string]bool{"G": true},
			want:    []string{"G got [TERM extra]", "C got [TERM extra]", "G stops", "D stops", "C stops", "P stops"},
		},
		{
			name:   "an unhandled benign signal stops nobody",
			signal: "USR2",
			want:   []string{"G got [USR2 extra]", "C got [USR2 extra]", "G stops", "D stops", "C stops", "P stops"},
		},
		{
			name:    "a handled UIDESTROY still stops its targets",
			signal:  "UIDESTROY",
			handled: map[string]bool{"G": true, "C": true},
			want:    []string{"G got [UIDESTROY extra]", "C got [UIDESTROY extra]", "G stops", "C stops", "D stops", "P stops"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			tree(k, &tr, c.signal, c.handled)
			signalAndEnd(k, "C", c.signal)
			if err := run(t, k); err != nil {
				t.Fatal(err)
			}
			tr.Expect(t, c.want...)
		})
	}
}

// TestUnhandledTerminalStopsFirst tells a terminal signal's stops apart
// from the ones at the end: G and C stop at once, before a timer of P runs.
func TestUnhandledTerminalStopsFirst(t *testing.T) {
	k := newKernel(t)
	var tr trail
	tree(k, &tr, "INT", nil)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Signal("C", "INT")
			e.Kernel.Post("D", "sig", "after")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if len(tr) < 5 {
		t.Fatalf("events: %v", tr)
	}
	tr[:5].Expect(t, "G got [INT extra]", "C got [INT extra]", "G stops", "C stops", "D got [after]")
}

// TestSignalWatchers checks the watcher table of signals.pm through the
// API: a watcher can be removed, watchers do not keep a session alive,
// and an unknown destination is ESRCH.
func TestSignalWatchers(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			k.Sig("USR2", "sig")
			k.Sig("HUP", "sig")
			k.Sig("HUP", "")
			if err := k.Signal(999, "USR2"); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("Signal(unknown) = %v, want ESRCH", err)
			}
			if err := k.Sig("", "sig"); !errors.Is(err, syscall.EINVAL) {
				t.Errorf("Sig(\"\") = %v, want EINVAL", err)
			}
			k.Signal(e.Session, "HUP") // no longer watched: unhandled terminal
			k.Signal(e.Session, "USR2")
			return nil
		},
		"sig":   func(e *kernel.Event) any { tr.Add("got %v", e.Arg(0)); return nil },
		"_stop": func(e *kernel.Event) any { tr.Add("stop"); return nil },
	}})
	// A session that only watches a signal is collected at once.
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Sig("USR2", "sig"); return nil },
		"sig":    func(e *kernel.Event) any { tr.Add("watcher-only got %v", e.Arg(0)); return nil },
		"_stop":  func(e *kernel.Event) any { tr.Add("watcher-only stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "stop", "watcher-only stop")
}

// TestIdleThenZombie checks POE-SEMANTICS 2.5: when nothing can happen any
// more, IDLE goes to every session; a session that handles it survives
// until ZOMBIE, which stops it regardless. Sessions reached through the
// kernel are stopped in reverse order of the list, the last created first.
func TestIdleThenZombie(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("survivor")
			e.Kernel.Sig("IDLE", "sig")
			e.Kernel.Sig("ZOMBIE", "sig")
			return nil
		},
		"sig": func(e *kernel.Event) any {
			tr.Add("survivor got %v", e.Arg(0))
			e.Kernel.SigHandled()
			return nil
		},
		"_stop": func(e *kernel.Event) any { tr.Add("survivor stops"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.AliasSet("alias only"); return nil },
		"_stop":  func(e *kernel.Event) any { tr.Add("alias-only stops"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Delay("last", time.Millisecond); return nil },
		"last":   func(e *kernel.Event) any { tr.Add("last timer"); return nil },
		"_stop":  func(e *kernel.Event) any { tr.Add("timer session stops"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"last timer", "timer session stops",
		"survivor got IDLE",
		"survivor got ZOMBIE", "alias-only stops", "survivor stops",
	)
}

// TestSigChildBookkeeping mirrors the sig_child part of signals.pm: a
// watched PID counts one reference, unwatching releases it, and unwatching
// a PID never watched changes nothing (regression rt23181 covers the rest).
func TestSigChildBookkeeping(t *testing.T) {
	k := newKernel(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			// A PID that cannot be our child: the kernel learns at once that
			// it cannot wait for it.
			pid := 1 << 30
			k.SigChild(pid, "chld")
			c := counts(t, k, e.Session)
			k.SigChild(pid, "")
			k.SigChild(pid+1, "")
			after := counts(t, k, e.Session)
			if after.Pids != 0 || after.Refcount > c.Refcount {
				t.Errorf("after unwatching: %+v (before: %+v)", after, c)
			}
			return nil
		},
		"chld": nop,
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}
