package exceptions_test

import (
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestDieHandlerOutcomes holds what a child's and its parent's DIE
// handlers decide between them when the child's handler panics: both
// handlers always run (SigHandled does not stop the signal reaching the
// parent), a SigHandled from either keeps both sessions alive, and a
// handler's own panic is not caught again but ends Run, chained after the
// original panic when nobody handled it and alone when someone did. The
// sequences and Run's results were taken from Perl POE 1.370, in the
// shape of t/90_regression/whelan-dieprop.t and grinnz-die-in-die.t.
func TestDieHandlerOutcomes(t *testing.T) {
	// Each handler's action: "h" calls SigHandled, "d" panics, in the
	// order written; "" does nothing.
	for _, tc := range []struct {
		name          string
		child, parent string
		survive       bool     // the sessions' delays still fire
		want          []string // in Run's error, in this order; none for nil
		not           string   // must not be in Run's error
	}{
		{"nobody handling it stops both and Run returns the panic", "", "", false, []string{"orig"}, ""},
		{"the child handling it keeps both alive", "h", "", true, nil, ""},
		{"the parent handling it keeps both alive", "", "h", true, nil, ""},
		{"a panicking child handler is chained after the original", "d", "", false,
			[]string{"orig", "Additional error thrown in handler for previous error", "child handler died"}, ""},
		{"a panicking parent handler is chained after the original", "", "d", false,
			[]string{"orig", "Additional error thrown in handler for previous error", "parent handler died"}, ""},
		{"two panicking handlers are chained after the original", "d", "d", false,
			[]string{"orig", "Additional error thrown in handler for previous error", "parent handler died"}, ""},
		{"a parent panicking after the child handled it ends Run with its panic alone", "h", "d", false,
			[]string{"parent handler died"}, "orig"},
		{"a child panicking before the parent handled it ends Run with its panic alone", "d", "h", false,
			[]string{"child handler died"}, "orig"},
		{"a child panicking after handling it ends Run with its panic alone", "hd", "", false,
			[]string{"child handler died"}, "orig"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			act := func(who, what string) kernel.Handler {
				return func(e *kernel.Event) any {
					tr.Add("%s handler", who)
					for _, c := range what {
						switch c {
						case 'h':
							e.Kernel.SigHandled()
						case 'd':
							panic(who + " handler died")
						}
					}
					return nil
				}
			}
			later := func(who string) kernel.Handler {
				return func(e *kernel.Event) any { tr.Add("%s later", who); return nil }
			}
			stop := func(who string) kernel.Handler {
				return func(e *kernel.Event) any { tr.Add("%s stop", who); return nil }
			}
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					e.Kernel.Sig("DIE", "d")
					e.Kernel.Create(kernel.Session{States: kernel.States{
						"_start": startPanicking,
						"boom":   func(e *kernel.Event) any { panic("orig") },
						"d":      act("child", tc.child),
						"later":  later("child"),
						"_stop":  stop("child"),
					}})
					e.Kernel.Delay("later", 20*time.Millisecond)
					return nil
				},
				"d":      act("parent", tc.parent),
				"later":  later("parent"),
				"_child": func(e *kernel.Event) any { return nil },
				"_stop":  stop("parent"),
			}})
			err := run(t, k)
			if tc.survive {
				tr.Expect(t, "child handler", "parent handler", "child later", "parent later", "child stop", "parent stop")
			} else {
				tr.Expect(t, "child handler", "parent handler", "child stop", "parent stop")
			}
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Run = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Run = nil, want %q", tc.want)
			}
			msg, at := err.Error(), 0
			for _, w := range tc.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("Run = %q, want %q in this order", msg, tc.want)
				}
				at += i + len(w)
			}
			if tc.not != "" && strings.Contains(msg, tc.not) {
				t.Errorf("Run = %q, want no %q in it", msg, tc.not)
			}
		})
	}
}
