package kernel

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLoopOnlyFromAnotherGoroutine checks that a loop-only call made from
// another goroutine while the loop waits panics with a clear message, and
// still does after handlers have panicked and been caught, whether they
// were reached by a post, a first call or a repeated call (each leaves
// the loop by a different path and must leave it as it found it).
func TestLoopOnlyFromAnotherGoroutine(t *testing.T) {
	for _, before := range []string{"nothing", "post", "call", "call twice"} {
		t.Run("after a caught panic in: "+before, func(t *testing.T) {
			k := MustNew()
			defer k.Close()
			misuse := make(chan string, 1)
			handled := func(e *Event) any { e.Kernel.SigHandled(); return nil }
			k.Create(Session{States: States{
				"_start": func(e *Event) any {
					e.Kernel.Sig("DIE", "died")
					return e.Kernel.AliasSet("victim")
				},
				"boom": func(e *Event) any { panic("boom") },
				"died": handled,
				"bye":  func(e *Event) any { return e.Kernel.AliasRemove("victim") },
			}})
			k.Create(Session{States: States{
				"_start": func(e *Event) any {
					e.Kernel.Sig("DIE", "died")
					e.Kernel.Yield("go")
					return nil
				},
				"go": func(e *Event) any {
					switch before {
					case "post":
						e.Kernel.Yield("boom")
					case "call twice":
						// By session, the second call takes Call's
						// shortest path.
						victim := e.Kernel.AliasResolve("victim")
						e.Kernel.Call(victim, "boom")
						e.Kernel.Call(victim, "boom")
					case "call":
						e.Kernel.Call("victim", "boom")
					}
					e.Kernel.Delay("wait", time.Millisecond)
					return nil
				},
				"boom": func(e *Event) any { panic("boom") },
				"died": handled,
				"wait": func(e *Event) any {
					// The loop is between handlers and asleep when the
					// other goroutine calls; it keeps the loop alive
					// until then.
					e.Kernel.Delay("end", time.Hour)
					self := e.Session
					go func() {
						for !k.sleeping.Load() {
							time.Sleep(time.Millisecond)
						}
						misuse <- tryCall(k)
						k.Post(self, "end")
					}()
					return nil
				},
				"end": func(e *Event) any {
					e.Kernel.AlarmRemoveAll()
					e.Kernel.Post("victim", "bye")
					return nil
				},
			}})
			done := make(chan error, 1)
			go func() { done <- k.Run() }()
			select {
			case got := <-misuse:
				if !strings.Contains(got, "called from outside the event loop") {
					t.Errorf("a call from another goroutine gave %q, want the misuse panic", got)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the other goroutine never saw the loop asleep")
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return")
			}
		})
	}
}

// tryCall makes a loop-only call and returns what it panicked with.
func tryCall(k *Kernel) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	k.Call("victim", "boom")
	return "no panic"
}
