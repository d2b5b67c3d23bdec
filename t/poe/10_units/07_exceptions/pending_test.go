package exceptions_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestSecondDiePending holds what happens when two sessions panic in the
// same round, so that a second DIE is queued while the first is
// dispatched: an unhandled first DIE stops the kernel at once, the second
// is never delivered and Run returns the first panic alone; a handled
// first lets the second through, whose own outcome decides Run's result.
// The sequences were taken from Perl POE 1.370.
func TestSecondDiePending(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler string // the session whose DIE handler calls SigHandled
		want    []string
		err     string
	}{
		{"an unhandled first DIE drops the second", "",
			[]string{"A boom", "B boom", "A DIE: A died", "A stop", "B stop"}, "A died"},
		{"a handled first DIE lets the second decide", "A",
			[]string{"A boom", "B boom", "A DIE: A died", "B DIE: B died", "B stop", "A stop"}, "B died"},
		{"a handler for the second only never runs", "B",
			[]string{"A boom", "B boom", "A DIE: A died", "A stop", "B stop"}, "A died"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKernel(t)
			var tr trail
			for _, n := range []string{"A", "B"} {
				k.Create(kernel.Session{States: kernel.States{
					"_start": func(e *kernel.Event) any {
						e.Kernel.Sig("DIE", "d")
						e.Kernel.Yield("boom")
						return nil
					},
					"boom": func(e *kernel.Event) any { tr.Add("%s boom", n); panic(n + " died") },
					"d": func(e *kernel.Event) any {
						tr.Add("%s DIE: %v", n, errorStr(e))
						if tc.handler == n {
							e.Kernel.SigHandled()
						}
						return nil
					},
					"_stop": func(e *kernel.Event) any { tr.Add("%s stop", n); return nil },
				}})
			}
			err := run(t, k)
			tr.Expect(t, tc.want...)
			if got := panicValues(t, err); len(got) != 1 || got[0] != tc.err {
				t.Errorf("Run = %v, want the panic %q alone", err, tc.err)
			}
		})
	}
}
