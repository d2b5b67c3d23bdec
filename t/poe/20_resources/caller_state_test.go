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

// TestActiveEventInCalls checks the active event while a called handler
// runs, for each way of naming the callee. A call to another session
// makes the callee's state the active event; a call to the active session
// itself leaves the caller's (checked against POE 1.370).
func TestActiveEventInCalls(t *testing.T) {
	k := newKernel(t)
	var tr trail
	inner := func(e *kernel.Event) any {
		tr.Add("%s from %s while %s is active", e.State, e.CallerState, e.Kernel.GetActiveEvent())
		return nil
	}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("other") },
		"inner":  inner,
		"bye":    func(e *kernel.Event) any { return e.Kernel.AliasRemove("other") },
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("outer"); return nil },
		"self":   inner,
		"outer": func(e *kernel.Event) any {
			// By name, then by handle, which finds the state the
			// session ran last; the calls alternate, so that each
			// reuses a frame that the other filled.
			other := e.Kernel.AliasResolve("other")
			calls := []struct {
				dest  any
				state string
			}{
				{"other", "inner"}, {other, "inner"}, {e.Session.ID(), "self"},
				{other, "inner"}, {e.Session, "self"}, {other, "inner"}, {e.Session, "self"},
			}
			for _, c := range calls {
				e.Kernel.Call(c.dest, c.state)
			}
			return e.Kernel.Post(other, "bye")
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"inner from outer while inner is active",
		"inner from outer while inner is active",
		"self from outer while outer is active",
		"inner from outer while inner is active",
		"self from outer while outer is active",
		"inner from outer while inner is active",
		"self from outer while outer is active",
	)
}

// TestCallerStateInDefault checks that a _default handler handles the
// event under the event's own name, as POE's active event: that name is
// the active event and the CALLER_STATE of what the handler yields,
// posts, calls or sets, and it is the active event again after a call
// from the handler returns, or panics (checked against POE 1.370, where
// all of these say "missing").
func TestCallerStateInDefault(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("DIE", "died")
			return e.Kernel.AliasSet("helper")
		},
		"died": func(e *kernel.Event) any { e.Kernel.SigHandled(); return nil },
		"inner": func(e *kernel.Event) any {
			tr.Add("inner from %s while %s is active", e.CallerState, e.Kernel.GetActiveEvent())
			return nil
		},
		"boom": func(e *kernel.Event) any { panic("boom") },
		"bye": func(e *kernel.Event) any {
			e.Kernel.Sig("DIE", "")
			return e.Kernel.AliasRemove("helper")
		},
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.Yield("missing"); return nil },
		"_default": func(e *kernel.Event) any {
			if e.ArgString(0) != "missing" {
				return nil
			}
			tr.Add("_default for %s while %s is active", e.ArgString(0), e.Kernel.GetActiveEvent())
			e.Kernel.Yield("seen")
			e.Kernel.Post(e.Session, "seen4")
			e.Kernel.Call(e.Session, "seen2")
			e.Kernel.Delay("seen3", 0)
			// By alias twice, the second time to the session's last
			// state, then by handle, which Call dispatches itself.
			helper := e.Kernel.AliasResolve("helper")
			for _, dest := range []any{"helper", "helper", helper} {
				e.Kernel.Call(dest, "inner")
				tr.Add("after a call: %s is active", e.Kernel.GetActiveEvent())
			}
			for _, dest := range []any{"helper", "helper", helper} {
				e.Kernel.Call(dest, "boom")
				tr.Add("after a panic: %s is active", e.Kernel.GetActiveEvent())
			}
			e.Kernel.Post("helper", "bye")
			return nil
		},
		"seen":  func(e *kernel.Event) any { tr.Add("seen from %s", e.CallerState); return nil },
		"seen2": func(e *kernel.Event) any { tr.Add("seen2 from %s", e.CallerState); return nil },
		"seen3": func(e *kernel.Event) any { tr.Add("seen3 from %s", e.CallerState); return nil },
		"seen4": func(e *kernel.Event) any { tr.Add("seen4 from %s", e.CallerState); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		"_default for missing while missing is active",
		"seen2 from missing",
		"inner from missing while inner is active",
		"after a call: missing is active",
		"inner from missing while inner is active",
		"after a call: missing is active",
		"inner from missing while inner is active",
		"after a call: missing is active",
		"after a panic: missing is active",
		"after a panic: missing is active",
		"after a panic: missing is active",
		"seen from missing",
		"seen4 from missing",
		"seen3 from missing",
	)
}

// TestCallerStateOfSignals checks what a signal handler is told of the
// signal's origin, as in POE 1.370: SENDER is the kernel; CALLER_STATE is
// the event that called signal, and empty for the kernel's own signals,
// a DIE among them.
func TestCallerStateOfSignals(t *testing.T) {
	k := newKernel(t)
	var tr trail
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.Sig("USR1", "got")
			e.Kernel.Sig("DIE", "got")
			e.Kernel.Yield("later")
			return nil
		},
		"later": func(e *kernel.Event) any {
			e.Kernel.Signal(e.Session, "USR1")
			e.Kernel.Yield("boom")
			return nil
		},
		"boom": func(e *kernel.Event) any { panic("boom") },
		"got": func(e *kernel.Event) any {
			tr.Add("%s from %q, sent by the kernel: %v", e.ArgString(0), e.CallerState, e.Sender.IsKernel())
			if e.ArgString(0) == "DIE" {
				e.Kernel.SigHandled()
				e.Kernel.Sig("USR1", "")
				e.Kernel.Sig("DIE", "")
			}
			return nil
		},
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	tr.Expect(t,
		`USR1 from "later", sent by the kernel: true`,
		`DIE from "", sent by the kernel: true`,
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
	other := k.Create(kernel.Session{States: kernel.States{"_start": nop, "remote": record}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			k := e.Kernel
			k.Call(other, "remote") // which makes it the session's last state
			lines["remote"] = here() + 1
			k.Call(other, "remote")
			lines["posted"] = here() + 1
			k.Post(e.Session, "posted")
			lines["yielded"] = here() + 1
			k.Yield("yielded")
			k.Call(e.Session, "called") // which makes it the session's last state
			lines["called"] = here() + 1
			k.Call(e.Session, "called")
			lines["delayed"] = here() + 1
			k.Delay("delayed", 0)
			lines["delay_set"] = here() + 1
			k.DelaySet("delay_set", 0)
			k.Sig("USR1", "signalled")
			lines["signalled"] = here() + 1
			k.Signal(e.Session, "USR1")
			return nil
		},
		"posted": record, "yielded": record, "called": record, "delayed": record, "delay_set": record,
		"signalled": func(e *kernel.Event) any {
			e.Kernel.Sig("USR1", "")
			return record(e)
		},
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
