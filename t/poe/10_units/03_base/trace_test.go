package base_test

import (
	"bytes"
	"log"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestTraceOncePerDispatch checks the session option "trace": every
// dispatch is logged once, including _start, which Create runs before
// the loop does.
func TestTraceOncePerDispatch(t *testing.T) {
	var buf bytes.Buffer
	k := newKernel(t, kernel.WithLogger(log.New(&buf, "", 0)))
	k.Create(kernel.Session{
		Options: map[string]bool{"trace": true},
		States: kernel.States{
			"_start": func(e *kernel.Event) any { e.Kernel.Yield("tick"); return nil },
			"tick":   func(e *kernel.Event) any { return nil },
		},
	})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	for _, state := range []string{"_start", "tick"} {
		if n := strings.Count(buf.String(), "dispatching \""+state+"\""); n != 1 {
			t.Errorf("%s logged %d times, want once; log:\n%s", state, n, buf.String())
		}
	}
}
