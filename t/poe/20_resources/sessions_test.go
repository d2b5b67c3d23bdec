package resources_test

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// family builds a session named name that records POE's own events in tr
// and runs extra in its _start.
func family(tr *trail, name string, extra func(e *kernel.Event) any) kernel.Session {
	return kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			tr.Add("%s _start %v", name, e.Args)
			if extra != nil {
				return extra(e)
			}
			return name + "-startret"
		},
		"_stop": func(e *kernel.Event) any {
			tr.Add("%s _stop", name)
			return name + "-stopret"
		},
		"_child": func(e *kernel.Event) any {
			if len(e.Args) > 2 {
				tr.Add("%s _child %v %v %v", name, e.Arg(0), e.Arg(1), e.Arg(2))
			} else {
				tr.Add("%s _child %v %v", name, e.Arg(0), e.Arg(1))
			}
			return nil
		},
		"_parent": func(e *kernel.Event) any {
			tr.Add("%s _parent %v -> %v", name, e.Arg(0), e.Arg(1))
			return nil
		},
	}}
}

// TestSessionLifecycle mirrors POE's t/20_resources/00_base/sessions.pm
// through the public API and checks POE-SEMANTICS 2.1, 2.4 and 4's
// verified sequences: _start runs inside Create, the parent hears
// _child create with _start's value, children stop before their parents,
// and each stop is followed by the parent's _child lose with _stop's value.
func TestSessionLifecycle(t *testing.T) {
	k := newKernel(t)
	var tr trail
	var senders []*kernel.Session
	k.Create(family(&tr, "P", func(e *kernel.Event) any {
		senders = append(senders, e.Sender)
		c := e.Kernel.Create(kernel.Session{Args: []any{1, 2}, States: family(&tr, "C", func(e *kernel.Event) any {
			senders = append(senders, e.Sender)
			e.Kernel.Create(family(&tr, "G", nil))
			return "C-startret"
		}).States})
		tr.Add("create returned %v", c)
		return "P-startret"
	}))
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"P _start []",
		"C _start [1 2]",
		"G _start []",
		"C _child create session 3 G-startret",
		"P _child create session 2 C-startret",
		"create returned session 2",
		"G _stop",
		"C _child lose session 3 G-stopret",
		"C _stop",
		"P _child lose session 2 C-stopret",
		"P _stop",
	)
	t.Run("the SENDER of _start is the creator", func(t *testing.T) {
		if !senders[0].IsKernel() || senders[1].ID() != 1 {
			t.Errorf("_start senders = %v, want the kernel then session 1", senders)
		}
	})
}

// TestSessionWithoutStart checks that a session without _start is refused.
func TestSessionWithoutStart(t *testing.T) {
	k := newKernel(t)
	k.SetLogOutput(discard{})
	if s := k.Create(kernel.Session{States: kernel.States{"x": nop}}); s != nil {
		t.Errorf("Create without _start = %v, want nil", s)
	}
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestIdleSessionSurvivesOneRound checks POE-SEMANTICS 2.1: a session that
// did nothing in _start lives until the kernel's garbage-collection event
// for it is dispatched, so an event yielded by another session in the
// same round still finds it.
func TestIdleSessionSurvivesOneRound(t *testing.T) {
	k := newKernel(t)
	var tr trail
	idle := k.Create(family(&tr, "idle", nil))
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			tr.Add("idle alive in _start: %v", idle.Alive())
			if err := e.Kernel.Post(idle, "poke"); err != nil {
				t.Errorf("Post to a session before its GC = %v", err)
			}
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "idle _start []", "idle alive in _start: true", "idle _stop")
}

// TestDetach checks POE-SEMANTICS 4's verified detach sequences:
// detach_child gives the parent _child lose with no value and the child
// _parent with the kernel as new parent; a second detach_child is EPERM;
// detach_myself of a top-level session is EPERM.
func TestDetach(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(family(&tr, "P", func(e *kernel.Event) any {
		c2 := e.Kernel.Create(family(&tr, "C2", func(e *kernel.Event) any {
			e.Kernel.Delay("later", time.Millisecond) // outlives P
			return nil
		}))
		if err := e.Kernel.DetachChild(c2); err != nil {
			t.Errorf("DetachChild = %v", err)
		}
		if err := e.Kernel.DetachChild(c2); !errors.Is(err, syscall.EPERM) {
			t.Errorf("second DetachChild = %v, want EPERM", err)
		}
		if err := e.Kernel.DetachChild(999); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("DetachChild(unknown) = %v, want ESRCH", err)
		}
		if err := e.Kernel.DetachMyself(); !errors.Is(err, syscall.EPERM) {
			t.Errorf("DetachMyself at top level = %v, want EPERM", err)
		}
		tr.Add("C2 parent is kernel: %v", c2.Parent().IsKernel())
		return nil
	}))
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"P _start []", "C2 _start []",
		"P _child create session 2 <nil>",
		"P _child lose session 2 <nil>",
		"C2 _parent session 1 -> kernel "+k.ID(),
		"C2 parent is kernel: true",
		"P _stop",
		"C2 _stop",
	)
}

// objectStates is a session object: its exported handler methods become
// states, Start and Stop are bound to _start and _stop.
type objectStates struct{ tr *trail }

func (o *objectStates) Start(e *kernel.Event) any {
	o.tr.Add("Start heap=%v", e.Heap)
	e.Kernel.Yield("Hello", "world")
	return nil
}

func (o *objectStates) Hello(e *kernel.Event) any { o.tr.Add("Hello %v", e.Arg(0)); return nil }

func (o *objectStates) Stop(e *kernel.Event) any { o.tr.Add("Stop"); return nil }

// TestObjectStates checks object_states and the HEAP slot.
func TestObjectStates(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{Object: &objectStates{&tr}, Heap: "the heap"})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "Start heap=the heap", "Hello world", "Stop")
}

// TestRuntimeStates checks POE's state(): adding, replacing and removing a
// handler at run time, and ESRCH outside any session.
func TestRuntimeStates(t *testing.T) {
	k := newKernel(t)
	k.SetLogOutput(discard{})
	var tr trail
	if err := k.State("x", nop); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("State outside a session = %v, want ESRCH", err)
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.State("added", func(e *kernel.Event) any {
				tr.Add("added")
				e.Kernel.State("added", nil)
				e.Kernel.Yield("added")
				return nil
			})
			e.Kernel.Yield("added")
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "added")
}

// withStates returns s with more states, replacing any of the same name.
func withStates(s kernel.Session, more kernel.States) kernel.Session {
	for name, h := range more {
		s.States[name] = h
	}
	return s
}

// stopping returns a _stop handler that records name's stop, as family's
// does, and then runs extra.
func stopping(tr *trail, name string, extra func(e *kernel.Event)) kernel.Handler {
	return func(e *kernel.Event) any {
		tr.Add("%s _stop", name)
		extra(e)
		return name + "-stopret"
	}
}

// TestChildCreatedInStop checks what POE's _data_ses_free does with a
// session created by a stopping session's _stop: it is moved to the
// stopping session's parent, without _child gain or _parent, and keeps
// that parent alive (sequence taken from Perl POE 1.370).
func TestChildCreatedInStop(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(family(&tr, "GP", func(e *kernel.Event) any {
		e.Kernel.Create(family(&tr, "P", func(e *kernel.Event) any {
			e.Kernel.Create(withStates(family(&tr, "C", nil), kernel.States{
				"_stop": stopping(&tr, "C", func(e *kernel.Event) {
					e.Kernel.Create(withStates(family(&tr, "N", func(e *kernel.Event) any {
						e.Kernel.Yield("tick")
						return "N-startret"
					}), kernel.States{"tick": func(*kernel.Event) any { tr.Add("N tick"); return nil }}))
				}),
			}))
			return "P-startret"
		}))
		return "GP-startret"
	}))
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"GP _start []", "P _start []", "C _start []",
		"P _child create session 3 C-startret",
		"GP _child create session 2 P-startret",
		"C _stop",
		"N _start []",
		"C _child create session 4 N-startret",
		"P _child lose session 3 C-stopret",
		"N tick",
		"N _stop",
		"P _child lose session 4 N-stopret",
		"P _stop",
		"GP _child lose session 2 P-stopret",
		"GP _stop",
	)
}

// TestReparentOnForcedStop checks the children a forced stop finds: a
// session created by a child's _stop during a KILL has moved to the killed
// session by the time it stops, and moves on to the grandparent with
// _child gain and _parent before the killed session's _stop (sequence
// taken from Perl POE 1.370).
func TestReparentOnForcedStop(t *testing.T) {
	k := newKernel(t)
	var tr trail
	var n *kernel.Session
	k.Create(withStates(family(&tr, "GP", func(e *kernel.Event) any {
		p := e.Kernel.Create(family(&tr, "P", func(e *kernel.Event) any {
			e.Kernel.AliasSet("p")
			e.Kernel.Create(withStates(family(&tr, "C", func(e *kernel.Event) any {
				e.Kernel.AliasSet("c")
				return "C-startret"
			}), kernel.States{
				"_stop": stopping(&tr, "C", func(e *kernel.Event) {
					n = e.Kernel.Create(withStates(family(&tr, "N", func(e *kernel.Event) any {
						e.Kernel.Delay("tick", 10*time.Millisecond)
						return "N-startret"
					}), kernel.States{"tick": func(*kernel.Event) any { tr.Add("N tick"); return nil }}))
				}),
			}))
			return "P-startret"
		}))
		e.Kernel.Yield("kill", p)
		return "GP-startret"
	}), kernel.States{"kill": func(e *kernel.Event) any {
		tr.Add("GP kill")
		if err := e.Kernel.Signal(e.Arg(0), "KILL"); err != nil {
			t.Errorf("Signal KILL: %v", err)
		}
		return nil
	}}))
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"GP _start []", "P _start []", "C _start []",
		"P _child create session 3 (c) C-startret",
		"GP _child create session 2 (p) P-startret",
		"GP kill",
		"C _stop",
		"N _start []",
		"C _child create session 4 N-startret",
		"P _child lose session 3 (c) C-stopret",
		"GP _child gain session 4",
		"N _parent session 2 (p) -> session 1",
		"P _stop",
		"GP _child lose session 2 (p) P-stopret",
		"N tick",
		"N _stop",
		"GP _child lose session 4 N-stopret",
		"GP _stop",
	)
	if n == nil {
		t.Fatal("N was not created")
	}
}

// TestStopStopsSessionsCreatedDuringIt checks that Stop leaves no session
// behind: one that a child's _stop creates during the stop moves up to
// the kernel (with _parent, as POE 1.370 does) and is stopped as well,
// where POE's stop leaves it to run on.
func TestStopStopsSessionsCreatedDuringIt(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(withStates(family(&tr, "P", func(e *kernel.Event) any {
		e.Kernel.Create(withStates(family(&tr, "C", func(e *kernel.Event) any {
			e.Kernel.AliasSet("c")
			return "C-startret"
		}), kernel.States{
			"_stop": stopping(&tr, "C", func(e *kernel.Event) {
				e.Kernel.Create(withStates(family(&tr, "N", func(e *kernel.Event) any {
					e.Kernel.Delay("tick", time.Millisecond)
					return "N-startret"
				}), kernel.States{"tick": func(*kernel.Event) any { tr.Add("N tick"); return nil }}))
			}),
		}))
		e.Kernel.Yield("stopnow")
		return "P-startret"
	}), kernel.States{"stopnow": func(e *kernel.Event) any { tr.Add("P stopnow"); e.Kernel.Stop(); return nil }}))
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"P _start []", "C _start []",
		"P _child create session 2 (c) C-startret",
		"P stopnow",
		"C _stop",
		"N _start []",
		"C _child create session 3 N-startret",
		"P _child lose session 2 (c) C-stopret",
		"N _parent session 1 -> kernel "+k.ID(),
		"P _stop",
		"N _stop",
	)
	if n := k.SessionCount(); n != 0 {
		t.Errorf("SessionCount after Stop = %d, want 0", n)
	}
}
