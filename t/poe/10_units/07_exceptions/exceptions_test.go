package exceptions_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestNormal mirrors POE's t/10_units/07_exceptions/01_normal.t: a panic
// in a handler becomes a DIE signal whose payload names the failed event,
// the state that posted it and the error, and a handler that calls
// SigHandled keeps the session alive.
func TestNormal(t *testing.T) {
	k := newKernel(t, kernel.WithCallerInfo(true))
	var tr trail
	var info map[string]any
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("DIE", "avoid_death")
			e.Kernel.Yield("death")
			e.Kernel.Delay("party", 10*time.Millisecond)
			return nil
		},
		"death": func(e *kernel.Event) any { panic("OMG THEY CANCELLED FRIENDS") },
		"avoid_death": func(e *kernel.Event) any {
			tr.Add("caught %v", e.Arg(0))
			info, _ = e.Arg(1).(map[string]any)
			e.Kernel.Sig("DIE", "")
			e.Kernel.SigHandled()
			return nil
		},
		"party": func(e *kernel.Event) any { tr.Add("survived"); return nil },
		"_stop": func(e *kernel.Event) any { tr.Add("stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatalf("Run = %v, want nil after a handled DIE", err)
	}
	tr.Expect(t, "caught DIE", "survived", "stop")
	s1 := info["dest_session"].(*kernel.Session)
	cases := []struct {
		key  string
		want any
	}{
		{"event", "death"},
		{"from_state", "_start"},
		{"error_str", "OMG THEY CANCELLED FRIENDS"},
		{"source_session", s1},
		{"file", "exceptions_test.go"},
	}
	for _, c := range cases {
		t.Run("the DIE payload has "+c.key, func(t *testing.T) {
			got := info[c.key]
			if c.key == "file" {
				got = filepath.Base(got.(string))
			}
			if got != c.want {
				t.Errorf("%s = %v, want %v", c.key, got, c.want)
			}
		})
	}
	t.Run("the DIE payload has the line and the error value", func(t *testing.T) {
		if line, _ := info["line"].(int); line == 0 {
			t.Errorf("line = %v", info["line"])
		}
		var perr *kernel.PanicError
		if err, _ := info["error"].(error); !errors.As(err, &perr) || perr.State != "death" {
			t.Errorf("error = %v", info["error"])
		}
	})
}

// TestNotHandled mirrors POE's t/10_units/07_exceptions/03_not_handled.t:
// a DIE that nobody handles stops every session, not only the one that
// failed, and Run returns the panic.
func TestNotHandled(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("DIE", "mock_death")
			e.Kernel.Yield("death")
			return nil
		},
		"death":      func(e *kernel.Event) any { panic("OMG THEY CANCELLED FRIENDS") },
		"mock_death": func(e *kernel.Event) any { tr.Add("saw %v", e.Arg(0)); return nil },
		"_stop":      func(e *kernel.Event) any { tr.Add("first stops"); return nil },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start":      func(e *kernel.Event) any { e.Kernel.Delay("last_breath", time.Second); return nil },
		"last_breath": func(e *kernel.Event) any { t.Error("the kernel survived an unhandled exception"); return nil },
		"_stop":       func(e *kernel.Event) any { tr.Add("other stops"); return nil },
	}})
	err := run(t, k)
	var perr *kernel.PanicError
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "OMG THEY CANCELLED FRIENDS") {
		t.Fatalf("Run = %v, want the panic", err)
	}
	tr.Expect(t, "saw DIE", "first stops", "other stops")
}

// TestCallToAnotherSessionCatches checks POE-SEMANTICS 3.3: a panic in a
// handler reached by call from another session is caught there, call
// returns nil, and the DIE signal goes to the callee.
func TestCallToAnotherSessionCatches(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(callee(&tr))
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			v, err := e.Kernel.Call("callee", "boom")
			tr.Add("call returned %v %v", v, err)
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "call returned <nil> <nil>", "callee DIE in boom")
}

// callee is a session aliased "callee": its "ok" returns ARG0 + 1, its
// "boom" panics, and its DIE handler records the failed event in tr,
// handles the signal and gives up the alias.
func callee(tr *trail) kernel.Session {
	return kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("callee")
			e.Kernel.Sig("DIE", "died")
			return nil
		},
		"ok":   func(e *kernel.Event) any { return e.ArgInt(0) + 1 },
		"boom": func(e *kernel.Event) any { panic("kid died") },
		"died": func(e *kernel.Event) any {
			info := e.Arg(1).(map[string]any)
			tr.Add("callee DIE in %v", info["event"])
			e.Kernel.SigHandled()
			e.Kernel.AliasRemove("callee")
			return nil
		},
	}}
}

// TestTurnOff mirrors POE's t/10_units/07_exceptions/02_turn_off.t: with
// WithCatchPanics(false) a panic leaves Run, from a posted event and from
// a call by alias or by session; the call is the second to its state,
// which takes Call's shortest path (alias and session differ only in how
// the destination is resolved).
func TestTurnOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(e *kernel.Event)
	}{
		{"posted", func(e *kernel.Event) { e.Kernel.Yield("death") }},
		{"called by alias", func(e *kernel.Event) {
			e.Kernel.Call("victim", "death")
			e.Kernel.Call("victim", "death")
		}},
		{"called by session", func(e *kernel.Event) {
			victim := e.Kernel.AliasResolve("victim")
			e.Kernel.Call(victim, "death")
			e.Kernel.Call(victim, "death")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKernel(t, kernel.WithCatchPanics(false))
			runs := 0
			death := func(e *kernel.Event) any {
				if runs++; runs == 1 && tc.name != "posted" {
					return nil
				}
				panic("uncaught")
			}
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("victim") },
				"death":  death,
			}})
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
				"go":     func(e *kernel.Event) any { tc.run(e); return nil },
				"death":  death,
			}})
			var got any
			func() {
				defer func() { got = recover() }()
				k.Run()
			}()
			if got != "uncaught" {
				t.Errorf("recovered %v, want the handler's panic", got)
			}
		})
	}
}

// TestCallRestoresCaller checks that a call leaves the caller as it found
// it, whether the callee returned or panicked and was caught: the active
// session and event are the caller's again, the caller's arguments are
// intact, and the next call runs and returns its value.
func TestCallRestoresCaller(t *testing.T) {
	// Calls by alias and by session take different paths through Call.
	for _, by := range []string{"alias", "session"} {
		t.Run("by "+by, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			var dest any = "callee"
			if s := k.Create(callee(&tr)); by == "session" {
				dest = s
			}
			var caller *kernel.Session
			caller = k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.Yield("go", "mine"); return nil },
				"go": func(e *kernel.Event) any {
					// A state called twice in a row takes Call's shortest
					// path the second time, so each one is.
					for _, state := range []string{"ok", "ok", "boom", "boom", "ok"} {
						v, err := e.Kernel.Call(dest, state, 41)
						tr.Add("%s: %v %v; active %v %q; arg %v", state, v, err,
							e.Kernel.GetActiveSession() == caller, e.Kernel.GetActiveEvent(), e.Arg(0))
					}
					return nil
				},
			}})
			if err := run(t, k); err != nil {
				t.Fatal(err)
			}
			tr.Expect(t,
				`ok: 42 <nil>; active true "go"; arg mine`,
				`ok: 42 <nil>; active true "go"; arg mine`,
				`boom: <nil> <nil>; active true "go"; arg mine`,
				`boom: <nil> <nil>; active true "go"; arg mine`,
				`ok: 42 <nil>; active true "go"; arg mine`,
				"callee DIE in boom",
				"callee DIE in boom")
		})
	}
}
