package resources_test

import (
	"syscall"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestSessionCountAndChildren follows how POE's _data_ses_count and
// _data_ses_get_children change over a parent's and its child's lives: a
// session counts from its _start until after its parent's _child lose, and
// is its parent's child until then too. The sequence was taken from Perl
// POE 1.370, whose count also includes the kernel: SessionCount is that
// count less one.
func TestSessionCountAndChildren(t *testing.T) {
	k := newKernel(t)
	var tr trail
	see := func(e *kernel.Event, what string) {
		tr.Add("%s count=%d children=%d", what, e.Kernel.SessionCount(), len(e.Session.Children()))
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			see(e, "P _start")
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { see(e, "C _start"); e.Kernel.Yield("x"); return nil },
				"x":      func(e *kernel.Event) any { see(e, "C x"); return nil },
				"_stop":  func(e *kernel.Event) any { see(e, "C _stop"); return nil },
			}})
			see(e, "P after create")
			return nil
		},
		"_child": func(e *kernel.Event) any {
			see(e, "P _child "+e.ArgString(0))
			if c := e.Session.Children(); len(c) != 1 || c[0] != e.Arg(1) {
				t.Errorf("_child %s: children %v, want [%v]", e.ArgString(0), c, e.Arg(1))
			}
			return nil
		},
		"_stop": func(e *kernel.Event) any { see(e, "P _stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"P _start count=1 children=0",
		"C _start count=2 children=0",
		"P _child create count=2 children=1",
		"P after create count=2 children=1",
		"C x count=2 children=0",
		"C _stop count=2 children=0",
		"P _child lose count=2 children=1",
		"P _stop count=1 children=0",
	)
	if n := k.SessionCount(); n != 0 {
		t.Errorf("SessionCount after Run = %d, want 0", n)
	}
}

// TestChildrenList checks Session.Children: a parent's children in the
// order they were created, a copy the caller may change, without a child
// detached from it; and the kernel's session lists the top-level sessions.
// Session.Kernel is the kernel a session lives in.
func TestChildrenList(t *testing.T) {
	k := newKernel(t)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			var made []*kernel.Session
			for range 3 {
				made = append(made, k.Create(kernel.Session{States: kernel.States{"_start": nop}}))
			}
			same := func(got, want []*kernel.Session) bool {
				if len(got) != len(want) {
					return false
				}
				for i := range got {
					if got[i] != want[i] {
						return false
					}
				}
				return true
			}
			t.Run("children are listed in creation order", func(t *testing.T) {
				if got := e.Session.Children(); !same(got, made) {
					t.Errorf("children %v, want %v", got, made)
				}
			})
			t.Run("the list is a copy", func(t *testing.T) {
				c := e.Session.Children()
				c[0] = nil
				_ = append(c[:1], c[2:]...)
				if got := e.Session.Children(); !same(got, made) {
					t.Errorf("children after changing the copy %v, want %v", got, made)
				}
			})
			t.Run("a detached child leaves the list and joins the kernel's", func(t *testing.T) {
				if err := k.DetachChild(made[1]); err != nil {
					t.Fatal(err)
				}
				if got := e.Session.Children(); !same(got, []*kernel.Session{made[0], made[2]}) {
					t.Errorf("children %v, want %v", got, []*kernel.Session{made[0], made[2]})
				}
				if got := k.Session().Children(); !same(got, []*kernel.Session{e.Session, made[1]}) {
					t.Errorf("kernel's children %v, want %v", got, []*kernel.Session{e.Session, made[1]})
				}
			})
			t.Run("a session and the kernel's own belong to the kernel", func(t *testing.T) {
				if e.Session.Kernel() != k || made[1].Kernel() != k || k.Session().Kernel() != k {
					t.Error("Session.Kernel is not the kernel the session lives in")
				}
			})
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
}

// TestArgInt checks Event.ArgInt: ARGi as an int when it holds a Go
// integer of a built-in type or a Mode (ARG1 of a select event), and 0
// for anything else, other named integer types included, or a missing
// argument.
func TestArgInt(t *testing.T) {
	type count uint16
	cases := []struct {
		name string
		arg  any
		want int
	}{
		{"an int is itself", -7, -7},
		{"an int8 converts", int8(-8), -8},
		{"an int16 converts", int16(-16), -16},
		{"an int32 converts", int32(-32), -32},
		{"an int64 converts", int64(-64), -64},
		{"a uint converts", uint(1), 1},
		{"a uint8 converts", uint8(8), 8},
		{"a uint16 converts", uint16(16), 16},
		{"a uint32 converts", uint32(32), 32},
		{"a uint64 converts", uint64(64), 64},
		{"a uintptr converts", uintptr(99), 99},
		{"a select mode converts", kernel.ModeWrite, 1},
		{"a signal number, a named type, is 0", syscall.SIGTERM, 0},
		{"an errno, a named type, is 0", syscall.EBADF, 0},
		{"another named integer type is 0", count(5), 0},
		{"a float is 0", 3.0, 0},
		{"a numeric string is 0", "42", 0},
		{"a bool is 0", true, 0},
		{"nil is 0", nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := &kernel.Event{Args: []any{"first", c.arg}}
			if got := e.ArgInt(1); got != c.want {
				t.Errorf("ArgInt(1) of %T %v = %d, want %d", c.arg, c.arg, got, c.want)
			}
		})
	}
	t.Run("a missing argument is 0", func(t *testing.T) {
		e := &kernel.Event{Args: []any{5}}
		if e.ArgInt(1) != 0 || e.ArgInt(-1) != 0 || (&kernel.Event{}).ArgInt(0) != 0 {
			t.Error("ArgInt of a missing argument is not 0")
		}
	})
	t.Run("ARG1 of a select event is its mode", func(t *testing.T) {
		k := newKernel(t)
		a, _ := socketpair(t)
		got := -1
		k.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any { e.Kernel.SelectWrite(a, "out"); return nil },
			"out": func(e *kernel.Event) any {
				got = e.ArgInt(1)
				if e.ArgInt(0) != a {
					t.Errorf("ArgInt(0) = %d, want the descriptor %d", e.ArgInt(0), a)
				}
				e.Kernel.SelectWrite(a, "")
				return nil
			},
		}})
		if err := run(t, k); err != nil {
			t.Fatal(err)
		}
		if got != int(kernel.ModeWrite) {
			t.Errorf("ArgInt(1) of a write event = %d, want %d", got, kernel.ModeWrite)
		}
	})
}
