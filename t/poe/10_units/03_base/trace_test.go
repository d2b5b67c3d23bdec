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
// the loop does, and calls from another session, by alias and by handle.
func TestTraceOncePerDispatch(t *testing.T) {
	var buf bytes.Buffer
	k := newKernel(t, kernel.WithLogger(log.New(&buf, "", 0)))
	k.Create(kernel.Session{
		Options: map[string]bool{"trace": true},
		States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.Yield("tick")
				return e.Kernel.AliasSet("traced")
			},
			"tick": func(e *kernel.Event) any {
				e.Kernel.Call(e.Session, "tock") // then by the quicker path
				e.Kernel.Call(e.Session, "tock")
				return nil
			},
			"tock": func(e *kernel.Event) any { return nil },
			"ask":  func(e *kernel.Event) any { return nil },
			"bye":  func(e *kernel.Event) any { return e.Kernel.AliasRemove("traced") },
		},
	})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil },
		"go": func(e *kernel.Event) any {
			traced := e.Kernel.AliasResolve("traced")
			for _, dest := range []any{"traced", traced, traced} {
				if _, err := e.Kernel.Call(dest, "ask"); err != nil {
					t.Error(err)
				}
			}
			return e.Kernel.Post(traced, "bye")
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	for state, want := range map[string]int{"_start": 1, "tick": 1, "tock": 2, "ask": 3, "go": 0} {
		if n := strings.Count(buf.String(), "dispatching \""+state+"\""); n != want {
			t.Errorf("%s logged %d times, want %d; log:\n%s", state, n, want, buf.String())
		}
	}
}
