package resources_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestAliases mirrors POE's t/20_resources/00_base/aliases.pm: aliases are
// set, resolved, listed and removed, each adds one to the owner's reference
// count, they are released when the owner stops, and the loggable name of a
// session shows its first alias. It also checks alias_set and alias_remove's
// errno values (POE-SEMANTICS 6).
func TestAliases(t *testing.T) {
	k := newKernel(t)
	var owner *kernel.Session
	checks := func(e *kernel.Event) {
		k := e.Kernel
		base := counts(t, k, e.Session).Refcount
		for _, a := range []string{"alias-3", "alias-1", "alias-2"} {
			if err := k.AliasSet(a); err != nil {
				t.Errorf("AliasSet(%q) = %v, want nil", a, err)
			}
		}
		t.Run("an alias resolves to its session", func(t *testing.T) {
			if got := k.AliasResolve("alias-1"); got != e.Session {
				t.Errorf("AliasResolve = %v, want %v", got, e.Session)
			}
		})
		t.Run("each alias adds one to the reference count", func(t *testing.T) {
			c := counts(t, k, e.Session)
			if c.Aliases != 3 || c.Refcount != base+3 {
				t.Errorf("aliases %d refcount %d, want 3 and %d", c.Aliases, c.Refcount, base+3)
			}
		})
		t.Run("the alias list is sorted", func(t *testing.T) {
			got := k.AliasList(nil)
			want := []string{"alias-1", "alias-2", "alias-3"}
			if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
				t.Errorf("AliasList = %v, want %v", got, want)
			}
		})
		t.Run("setting an alias the session owns succeeds again", func(t *testing.T) {
			if err := k.AliasSet("alias-1"); err != nil {
				t.Errorf("AliasSet again = %v, want nil", err)
			}
			if c := counts(t, k, e.Session); c.Aliases != 3 {
				t.Errorf("aliases = %d after setting one twice, want 3", c.Aliases)
			}
		})
		t.Run("the loggable name shows the first alias", func(t *testing.T) {
			want := "session 1 (alias-3)"
			if got := e.Session.String(); got != want {
				t.Errorf("String = %q, want %q", got, want)
			}
		})
		t.Run("removing an alias stops it resolving and drops the count", func(t *testing.T) {
			if err := k.AliasRemove("alias-3"); err != nil {
				t.Fatalf("AliasRemove = %v", err)
			}
			if got := k.AliasResolve("alias-3"); got != nil {
				t.Errorf("removed alias resolves to %v", got)
			}
			if c := counts(t, k, e.Session); c.Refcount != base+2 {
				t.Errorf("refcount = %d, want %d", c.Refcount, base+2)
			}
		})
		t.Run("removing an unknown alias fails with ESRCH", func(t *testing.T) {
			if err := k.AliasRemove("narf"); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("AliasRemove(unknown) = %v, want ESRCH", err)
			}
		})
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			owner = e.Session
			checks(e)
			return nil
		},
		"_stop": nop,
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			t.Run("an alias owned by another session fails with EEXIST", func(t *testing.T) {
				if err := e.Kernel.AliasSet("alias-1"); !errors.Is(err, syscall.EEXIST) {
					t.Errorf("AliasSet = %v, want EEXIST", err)
				}
			})
			t.Run("removing another session's alias fails with EPERM", func(t *testing.T) {
				if err := e.Kernel.AliasRemove("alias-1"); !errors.Is(err, syscall.EPERM) {
					t.Errorf("AliasRemove = %v, want EPERM", err)
				}
			})
			t.Run("an alias list of another session is that session's", func(t *testing.T) {
				if got := e.Kernel.AliasList(owner); len(got) != 2 {
					t.Errorf("AliasList(owner) = %v, want two aliases", got)
				}
				if got := e.Kernel.AliasList(nil); len(got) != 0 {
					t.Errorf("AliasList(self) = %v, want none", got)
				}
			})
			e.Kernel.Yield("after")
			return nil
		},
		"after": func(e *kernel.Event) any {
			// The owner is kept only by aliases, which do not keep the
			// kernel busy: it is reaped by IDLE once this session is done.
			if err := e.Kernel.Post("alias-1", "nothing"); err != nil {
				t.Errorf("Post to a live alias = %v", err)
			}
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if owner.Alive() {
		t.Error("a session kept only by aliases outlived Run")
	}
	t.Run("aliases are released when their session stops", func(t *testing.T) {
		if err := k.Post("alias-1", "x"); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("Post to a dead session's alias = %v, want ESRCH", err)
		}
	})
}

// TestAliasResolution checks the destinations alias_resolve accepts: a
// session, its ID as a number or a string, an alias, and the kernel; and
// that AliasResolveName resolves every name as AliasResolve does.
func TestAliasResolution(t *testing.T) {
	k := newKernel(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			k.AliasSet("named")
			cases := []struct {
				name string
				dest any
				want *kernel.Session
			}{
				{"a session resolves to itself", e.Session, e.Session},
				{"a numeric ID resolves", e.Session.ID(), e.Session},
				{"a string ID resolves", "1", e.Session},
				{"an alias resolves", "named", e.Session},
				{"the kernel resolves to its session", k, k.Session()},
				{"the kernel's ID resolves to its session", k.ID(), k.Session()},
				{"an unknown ID does not resolve", 999, nil},
				{"an unknown name does not resolve", "nothing", nil},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					if got := k.AliasResolve(c.dest); got != c.want {
						t.Errorf("AliasResolve(%v) = %v, want %v", c.dest, got, c.want)
					}
					if name, ok := c.dest.(string); ok {
						if got := k.AliasResolveName(name); got != c.want {
							t.Errorf("AliasResolveName(%q) = %v, want %v", name, got, c.want)
						}
					}
				})
			}
			k.AliasRemove("named")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestAliasResolutionFollowsChanges resolves the same alias again and
// again, with posts, calls and AliasResolve, while it is removed, taken
// by another session, and released by a session that stops: every
// resolution must see the change at once, never an earlier owner.
func TestAliasResolutionFollowsChanges(t *testing.T) {
	k := newKernel(t)
	var tr trail
	owner := func(name string) kernel.Session {
		return kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any { return nil },
			"take":   func(e *kernel.Event) any { return e.Kernel.AliasSet("x") },
			"drop":   func(e *kernel.Event) any { return e.Kernel.AliasRemove("x") },
			"who":    func(e *kernel.Event) any { return name },
			"posted": func(e *kernel.Event) any { tr.Add("%s got a post", name); return nil },
		}}
	}
	a, b := k.Create(owner("a")), k.Create(owner("b"))
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
		"go": func(e *kernel.Event) any {
			k := e.Kernel
			// The name comes as a constant and as a copy at another
			// address, as a name decoded from a message does.
			names := []string{"x", string([]byte("x"))}
			resolve := func(step string) {
				for _, n := range names {
					v, err := k.Call(n, "who")
					tr.Add("%s: call %v %v, resolve %v %v", step, v, err != nil,
						k.AliasResolve(n) != nil, k.AliasResolveName(n) != nil)
					if k.AliasResolve("y") != nil { // never set, and as long as x
						tr.Add("%s: y resolves", step)
					}
					k.Post(n, "posted")
				}
			}
			resolve("none")
			k.Call(a, "take")
			resolve("a took it")
			k.Call(a, "drop")
			resolve("a dropped it")
			k.Call(b, "take")
			resolve("b took it")
			k.Call(b, "drop")
			k.Call(a, "take")
			resolve("a took it back")
			e.Kernel.Post(e.Session, "stop_a")
			return nil
		},
		"stop_a": func(e *kernel.Event) any {
			// a stops holding the alias: nothing else keeps it.
			e.Kernel.Signal(a, "KILL")
			e.Kernel.Yield("after")
			return nil
		},
		"after": func(e *kernel.Event) any {
			v, err := e.Kernel.Call("x", "who")
			tr.Add("a stopped: call %v %v, resolve %v", v, err != nil, e.Kernel.AliasResolve("x") != nil)
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"none: call <nil> true, resolve false false",
		"none: call <nil> true, resolve false false",
		"a took it: call a false, resolve true true",
		"a took it: call a false, resolve true true",
		"a dropped it: call <nil> true, resolve false false",
		"a dropped it: call <nil> true, resolve false false",
		"b took it: call b false, resolve true true",
		"b took it: call b false, resolve true true",
		"a took it back: call a false, resolve true true",
		"a took it back: call a false, resolve true true",
		"a got a post",
		"a got a post",
		"b got a post",
		"b got a post",
		"a got a post",
		"a got a post",
		"a stopped: call <nil> true, resolve false")
}
