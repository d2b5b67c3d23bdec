package regression_test

import (
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestAverellCallbackRet mirrors POE's t/90_regression/averell-callback-ret.t:
// a callback returns its handler's value.
func TestAverellCallbackRet(t *testing.T) {
	k := newKernel(t)
	var got any
	k.Create(kernel.Session{Heap: new(*kernel.Postback), States: kernel.States{
		"_start": func(e *kernel.Event) any {
			*e.Heap.(**kernel.Postback) = e.Session.Callback("callback_event")
			e.Kernel.Yield("try_callback")
			return nil
		},
		"try_callback": func(e *kernel.Event) any {
			cb := *e.Heap.(**kernel.Postback)
			got = cb.Post()
			cb.Release()
			return nil
		},
		"callback_event": func(e *kernel.Event) any { return 42 },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	if got != 42 {
		t.Errorf("callback returned %v, want 42", got)
	}
}
