package regression_test

import (
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestKjeldahlStopStart mirrors the kernel half of POE's
// t/90_regression/kjeldahl-stop-start-*.t: after Stop, Run returns, and
// sessions created afterwards run when Run is called again (the Perl test
// does this in forked children; here it is the same kernel).
func TestKjeldahlStopStart(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Delay("never", time.Hour)
			e.Kernel.Yield("stop")
			return nil
		},
		"stop": func(e *kernel.Event) any {
			e.Kernel.Stop()
			tr.Add("stopped")
			return nil
		},
		"never": func(e *kernel.Event) any { t.Error("a stopped session's timer fired"); return nil },
		"_stop": func(e *kernel.Event) any { tr.Add("first _stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Delay("done", time.Millisecond); return nil },
		"done":   func(e *kernel.Event) any { tr.Add("second run done"); return nil },
		"_stop":  func(e *kernel.Event) any { tr.Add("second _stop"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t, "first _stop", "stopped", "second run done", "second _stop")
}
