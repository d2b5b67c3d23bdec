package exceptions_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestPanicThroughNestedCalls holds where a panic three calls deep is
// caught: in the innermost call to another session, so that only that
// session's DIE handler sees it, with the event that panicked, the calling
// session as source, the calling state as from_state and the call's
// position as file and line; each Call returns (the innermost nil) and
// the callers carry on. The sequence was taken from Perl POE 1.370.
func TestPanicThroughNestedCalls(t *testing.T) {
	k := newKernel(t, kernel.WithCallerInfo(true))
	var tr trail
	var info map[string]any
	var callLine int
	died := func(who string) kernel.Handler {
		return func(e *kernel.Event) any {
			info = e.Arg(1).(map[string]any)
			tr.Add("%s DIE: %v", who, info["error_str"])
			e.Kernel.SigHandled()
			return nil
		}
	}
	s2 := k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Sig("DIE", "d"); return nil },
		"b":      func(e *kernel.Event) any { panic("in b") },
		"d":      died("s2"),
	}})
	s1 := k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Sig("DIE", "d"); return nil },
		"a": func(e *kernel.Event) any {
			_, _, callLine, _ = callerLine()
			v, err := e.Kernel.Call(s2, "b")
			tr.Add("s1: call b returned %v %v", v, err)
			return "a-ret"
		},
		"d": died("s1"),
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Sig("DIE", "d"); e.Kernel.Yield("go"); return nil },
		"go": func(e *kernel.Event) any {
			v, err := e.Kernel.Call(s1, "a")
			tr.Add("s0: call a returned %v %v", v, err)
			e.Kernel.Delay("later", time.Millisecond)
			return nil
		},
		"later": func(e *kernel.Event) any { tr.Add("s0 later"); return nil },
		"d":     died("s0"),
	}})
	if err := run(t, k); err != nil {
		t.Fatalf("Run = %v, want nil: s2 handled its DIE", err)
	}
	tr.Expect(t, "s1: call b returned <nil> <nil>", "s0: call a returned a-ret <nil>", "s2 DIE: in b", "s0 later")
	for _, c := range []struct {
		key  string
		want any
	}{
		{"event", "b"},
		{"source_session", s1},
		{"dest_session", s2},
		{"from_state", "a"},
		{"line", callLine + 1},
	} {
		t.Run("the DIE payload's "+c.key+" is the innermost call's", func(t *testing.T) {
			if info[c.key] != c.want {
				t.Errorf("%s = %v, want %v", c.key, info[c.key], c.want)
			}
		})
	}
	t.Run("the DIE payload's file is the innermost call's", func(t *testing.T) {
		if _, file, _, _ := callerLine(); info["file"] != file {
			t.Errorf("file = %v, want %v", info["file"], file)
		}
	})
}

// callerLine is runtime.Caller(1): the position of the line calling it.
func callerLine() (uintptr, string, int, bool) { return runtime.Caller(1) }

// TestCallFromDieHandler holds a panic in a handler that a DIE handler
// calls. Called in another session, it is caught there like any other
// call's panic: Call returns nil and a new DIE is queued for that
// session, which is dropped with everything else when the first DIE
// stays unhandled, and delivered when it was handled. Called in the DIE
// handler's own session, it runs directly and the panic leaves the DIE
// handler, so it is not caught again and is chained after the original.
// The sequences and Run's results were taken from Perl POE 1.370.
func TestCallFromDieHandler(t *testing.T) {
	for _, tc := range []struct {
		name    string
		self    bool
		handled bool
		want    []string
		err     []string // Run's error: the PanicError values, first to last
	}{
		{"another session's panic is queued and dropped with the unhandled DIE", false, false,
			[]string{"main DIE: orig", "call returned <nil>", "main stop", "helper stop"}, []string{"orig"}},
		{"another session's panic is queued and delivered after the handled DIE", false, true,
			[]string{"main DIE: orig", "call returned <nil>", "helper DIE: helper died", "helper stop", "later", "main stop"}, nil},
		{"the own session's panic leaves the unhandled DIE's handler", true, false,
			[]string{"main DIE: orig", "main stop", "helper stop"}, []string{"orig", "self bad died"}},
		{"the own session's panic leaves the DIE handler before it handles it", true, true,
			[]string{"main DIE: orig", "main stop", "helper stop"}, []string{"orig", "self bad died"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			helper := k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.Sig("DIE", "d"); return e.Kernel.AliasSet("helper") },
				"bad":    func(e *kernel.Event) any { panic("helper died") },
				"d": func(e *kernel.Event) any {
					tr.Add("helper DIE: %v", errorStr(e))
					e.Kernel.SigHandled()
					e.Kernel.AliasRemove("helper")
					return nil
				},
				"_stop": func(e *kernel.Event) any { tr.Add("helper stop"); return nil },
			}})
			k.Create(kernel.Session{States: kernel.States{
				"_start": startPanicking,
				"boom":   func(e *kernel.Event) any { panic("orig") },
				"bad":    func(e *kernel.Event) any { panic("self bad died") },
				"d": func(e *kernel.Event) any {
					tr.Add("main DIE: %v", errorStr(e))
					dest := any(helper)
					if tc.self {
						dest = e.Session
					}
					v, _ := e.Kernel.Call(dest, "bad")
					tr.Add("call returned %v", v)
					if tc.handled {
						e.Kernel.SigHandled()
					}
					return nil
				},
				"later": func(e *kernel.Event) any { tr.Add("later"); return nil },
				"_stop": func(e *kernel.Event) any { tr.Add("main stop"); return nil },
			}})
			err := run(t, k)
			tr.Expect(t, tc.want...)
			if got := panicValues(t, err); fmt.Sprint(got) != fmt.Sprint(tc.err) {
				t.Errorf("Run's panics = %q, want %q", got, tc.err)
			}
		})
	}
}
