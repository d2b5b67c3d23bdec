package resources_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestCallerState mirrors POE's t/20_resources/00_base/caller_state.pm:
// CALLER_STATE is the state that was running when an event was posted,
// through post, yield, call, postback and callback. A call to the session
// itself opens no new dispatch frame, so a postback fired inside it is
// credited to the state that made the call (checked against POE 1.370).
func TestCallerState(t *testing.T) {
	k := newKernel(t)
	var tr trail
	type heap struct{ pb, cb *kernel.Postback }
	k.Create(kernel.Session{Heap: &heap{}, States: kernel.States{
		"_start": func(e *kernel.Event) any {
			h := e.Heap.(*heap)
			e.Kernel.Post(e.Session, "check_1")
			h.pb = e.Session.Postback("check_4")
			h.cb = e.Session.Callback("check_5")
			return nil
		},
		"check_1": func(e *kernel.Event) any {
			tr.Add("check_1 from %s", e.CallerState)
			e.Kernel.Yield("check_2")
			return nil
		},
		"check_2": func(e *kernel.Event) any {
			tr.Add("check_2 from %s", e.CallerState)
			e.Kernel.Call(e.Session, "check_3")
			tr.Add("active event after the call: %s", e.Kernel.GetActiveEvent())
			return nil
		},
		"check_3": func(e *kernel.Event) any {
			tr.Add("check_3 from %s while %s is active", e.CallerState, e.Kernel.GetActiveEvent())
			h := e.Heap.(*heap)
			h.pb.Post()
			h.pb.Release()
			return nil
		},
		"check_4": func(e *kernel.Event) any {
			tr.Add("check_4 from %s", e.CallerState)
			h := e.Heap.(*heap)
			h.cb.Post()
			h.cb.Release()
			return nil
		},
		"check_5": func(e *kernel.Event) any {
			tr.Add("check_5 from %s", e.CallerState)
			return nil
		},
		"_stop": nop,
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"check_1 from _start",
		"check_2 from check_1",
		"check_3 from check_2 while check_2 is active",
		"active event after the call: check_2",
		"check_4 from check_2",
		"check_5 from check_4",
	)
}

// TestCallerFileAndLine checks CALLER_FILE and CALLER_LINE: with
// WithCallerInfo they name the line of the user's post, yield, call or
// alarm call, not a line inside the kernel.
func TestCallerFileAndLine(t *testing.T) {
	k := newKernel(t, kernel.WithCallerInfo(true))
	lines := map[string]int{}
	here := func() int { _, _, l, _ := runtime.Caller(1); return l }
	got := map[string]string{}
	record := func(e *kernel.Event) any {
		got[e.State] = filepath.Base(e.CallerFile) + ":" + itoa(e.CallerLine)
		return nil
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			lines["posted"] = here() + 1
			k.Post(e.Session, "posted")
			lines["yielded"] = here() + 1
			k.Yield("yielded")
			lines["called"] = here() + 1
			k.Call(e.Session, "called")
			lines["delayed"] = here() + 1
			k.Delay("delayed", 0)
			lines["delay_set"] = here() + 1
			k.DelaySet("delay_set", 0)
			return nil
		},
		"posted": record, "yielded": record, "called": record, "delayed": record, "delay_set": record,
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	for state, line := range lines {
		t.Run(state+" records the caller's line", func(t *testing.T) {
			if want := "caller_state_test.go:" + itoa(line); got[state] != want {
				t.Errorf("caller = %q, want %q", got[state], want)
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
