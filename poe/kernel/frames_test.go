package kernel

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestFramesKeepNothingAlive checks that the pooled dispatch frames, which
// keep their session and heap between dispatches, let go of them when the
// loop sleeps and when Run returns: a stopped session's heap, and what it
// was called with, are collected.
func TestFramesKeepNothingAlive(t *testing.T) {
	tests := []struct {
		name  string
		sleep bool // a second session keeps the loop running and sleeping
	}{
		{"after Run", false},
		{"while the loop sleeps", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := MustNew()
			defer k.Close()
			collected, argCollected := make(chan struct{}), make(chan struct{})
			type heap struct{ _ [64]byte }
			h := &heap{}
			runtime.SetFinalizer(h, func(*heap) { close(collected) })
			// The session with the heap is called, so that its handler
			// runs in a frame deeper than the loop's own dispatches, which
			// nothing else reuses; then it stops.
			k.Create(Session{Heap: h, States: States{
				"_start": func(e *Event) any { return e.Kernel.AliasSet("held") },
				"get": func(e *Event) any {
					e.Kernel.AliasRemove("held")
					return e.Arg(1)
				},
			}})
			k.Create(Session{States: States{
				"_start": func(e *Event) any { e.Kernel.Yield("go"); return nil },
				"go": func(e *Event) any {
					// An argument, which the frame also keeps.
					arg := &heap{}
					runtime.SetFinalizer(arg, func(*heap) { close(argCollected) })
					_, err := e.Kernel.Call("held", "get", 1, arg)
					return err
				},
			}})
			h = nil
			wait := func() bool { return collectedWithin(collected) && collectedWithin(argCollected) }
			if !tc.sleep {
				if err := k.Run(); err != nil {
					t.Fatal(err)
				}
				if !wait() {
					t.Fatal("the stopped session's heap or an argument is still referenced after Run")
				}
				return
			}
			// The first session stops; the second sleeps on a long alarm
			// while this goroutine looks, then is told to quit.
			stopped := make(chan struct{})
			k.Create(Session{States: States{
				"_start": func(e *Event) any {
					e.Kernel.AliasSet("keeper")
					e.Kernel.Delay("never", time.Minute)
					return nil
				},
				"never": func(e *Event) any { return nil },
				"quit": func(e *Event) any {
					e.Kernel.AlarmRemoveAll()
					e.Kernel.AliasRemove("keeper")
					return nil
				},
			}})
			k.Create(Session{States: States{
				"_start": func(e *Event) any { return nil },
				"_stop":  func(e *Event) any { close(stopped); return nil },
			}})
			ok := make(chan bool, 1)
			go func() {
				<-stopped
				time.Sleep(20 * time.Millisecond) // the loop is asleep by now
				ok <- wait()
				k.Post("keeper", "quit")
			}()
			if err := k.Run(); err != nil {
				t.Fatal(err)
			}
			if !<-ok {
				t.Fatal("the stopped session's heap or an argument is still referenced while the loop sleeps")
			}
		})
	}
}

// TestFrameArgumentsLetGo checks that a call's arguments are let go
// while the loop still runs (no scrub has run), after a later dispatch at
// the same depth with fewer arguments, or with more than a frame holds in
// line. A frame that kept its arguments until its depth was reused would
// keep the first call's last argument here.
func TestFrameArgumentsLetGo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after func(e *Event) // run after the call that passed the value
	}{
		{"a later call with fewer arguments", func(e *Event) { e.Kernel.Call("callee", "take", 1) }},
		{"a later call with many arguments", func(e *Event) { e.Kernel.Call("callee", "take", 1, 2, 3, 4, 5, 6, 7) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := MustNew()
			defer k.Close()
			collected := make(chan struct{})
			type value struct{ _ [64]byte }
			k.Create(Session{States: States{
				"_start": func(e *Event) any { return e.Kernel.AliasSet("callee") },
				"take":   func(e *Event) any { return nil },
				"bye":    func(e *Event) any { return e.Kernel.AliasRemove("callee") },
			}})
			var inLoop bool
			k.Create(Session{States: States{
				"_start": func(e *Event) any { e.Kernel.Yield("go"); return nil },
				"go": func(e *Event) any {
					v := &value{}
					runtime.SetFinalizer(v, func(*value) { close(collected) })
					e.Kernel.Call("callee", "take", 1, 2, v)
					e.Kernel.Call("callee", "take", 1, 2, v) // the memo path too
					v = nil
					tc.after(e)
					inLoop = collectedWithin(collected)
					e.Kernel.Post("callee", "bye")
					return nil
				},
			}})
			if err := k.Run(); err != nil {
				t.Fatal(err)
			}
			if !inLoop {
				t.Error("an argument of an earlier call is still referenced while the loop runs")
			}
		})
	}
}

// collectedWithin runs the collector until done is closed, for up to
// half a second.
func collectedWithin(done <-chan struct{}) bool {
	for i := 0; i < 50; i++ {
		runtime.GC()
		select {
		case <-done:
			return true
		case <-time.After(10 * time.Millisecond):
		}
	}
	return false
}

// TestFrameReuseFillsEveryField checks that a frame reused at its depth
// shows each dispatch its own SESSION, HEAP, STATE, SENDER and
// CALLER_STATE, whichever of them changed since its last use: the frame
// writes only the fields that differ.
func TestFrameReuseFillsEveryField(t *testing.T) {
	type seen struct {
		session, sender *Session
		heap            any
		state, caller   string
	}
	var got []seen
	record := func(e *Event) any {
		got = append(got, seen{e.Session, e.Sender, e.Heap, e.State, e.CallerState})
		return nil
	}
	k := MustNew()
	defer k.Close()
	// The called sessions stay alive by alias until the last call is made.
	callee := func(alias string, heap any) Session {
		return Session{Heap: heap, States: States{
			"_start": func(e *Event) any { return e.Kernel.AliasSet(alias) },
			"who":    record,
			"what":   record,
			"bye":    func(e *Event) any { return e.Kernel.AliasRemove(alias) },
		}}
	}
	c := k.Create(callee("c", "C's heap"))
	d := k.Create(callee("d", "D's heap"))
	calls := func(steps ...func(e *Event)) States {
		return States{
			"_start": func(e *Event) any { e.Kernel.Yield("one"); return nil },
			"one": func(e *Event) any {
				steps[0](e)
				e.Kernel.Yield("two")
				return nil
			},
			"two": func(e *Event) any {
				steps[1](e)
				e.Kernel.Post("c", "bye")
				e.Kernel.Post("d", "bye")
				return nil
			},
		}
	}
	call := func(to *Session, state string) func(e *Event) { return func(e *Event) { e.Kernel.Call(to, state) } }
	a := k.Create(Session{States: calls(call(c, "who"), call(c, "what"))})
	b := k.Create(Session{States: calls(call(c, "who"), call(d, "who"))})
	if err := k.Run(); err != nil {
		t.Fatal(err)
	}
	// Yields alternate between a and b: a's one, b's one, a's two, b's two.
	want := []seen{
		{c, a, "C's heap", "who", "one"},
		{c, b, "C's heap", "who", "one"},
		{c, a, "C's heap", "what", "two"},
		{d, b, "D's heap", "who", "two"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d dispatches, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("dispatch %d: session %v sender %v heap %v state %q caller %q, want %v %v %v %q %q", i,
				got[i].session.ID(), got[i].sender.ID(), got[i].heap, got[i].state, got[i].caller,
				want[i].session.ID(), want[i].sender.ID(), want[i].heap, want[i].state, want[i].caller)
		}
	}
}

// TestSelfCallFrame checks what a handler's calls to its own session
// show, as a wheel's records do: SESSION, SENDER and CALLER_STATE are the
// calling session's, and each call its own arguments, whether the state
// called was the session's last (Call's short path) or not, and in a
// frame that another session's call used before.
func TestSelfCallFrame(t *testing.T) {
	type seen struct {
		session, sender *Session
		state, caller   string
		arg             any
	}
	var got []seen
	k := MustNew()
	defer k.Close()
	b := k.Create(Session{States: States{
		"_start": func(e *Event) any { return e.Kernel.AliasSet("b") },
		"rec": func(e *Event) any {
			got = append(got, seen{e.Session, e.Sender, e.State, e.CallerState, e.Arg(0)})
			return nil
		},
		"go": func(e *Event) any {
			for i := 1; i <= 3; i++ {
				e.Kernel.Call(e.Session, "rec", i)
			}
			return e.Kernel.AliasRemove("b")
		},
	}})
	a := k.Create(Session{States: States{
		"_start": func(e *Event) any { e.Kernel.Yield("go"); return nil },
		"go": func(e *Event) any {
			e.Kernel.Call(b, "rec", "from a")
			e.Kernel.Post(b, "go")
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		t.Fatal(err)
	}
	want := []seen{
		{b, a, "rec", "go", "from a"},
		{b, b, "rec", "go", 1}, // after "go": not the last state
		{b, b, "rec", "go", 2}, // the last state
		{b, b, "rec", "go", 3},
	}
	if len(got) != len(want) {
		t.Fatalf("%d dispatches, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("call %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestSelfCallPanicFrames checks the dispatch depth and handler count
// after a panic leaves direct calls to the running session (which open no
// deferred frame of their own): recovered by the calling handler, or
// caught as a DIE by the dispatch further out. The handler that runs next
// sees the depth and count of a first-level dispatch, and the abandoned
// frames let go of their arguments.
func TestSelfCallPanicFrames(t *testing.T) {
	type marker struct{ _ [32]byte }
	tests := []struct {
		name    string
		recover bool // the calling handler recovers; else a DIE
	}{
		{"recovered by the caller", true},
		{"caught as DIE", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := MustNew(WithCatchPanics(true))
			defer k.Close()
			var depths, handlers []int
			var leftArgs int
			var after any
			note := func() { depths, handlers = append(depths, k.depth), append(handlers, k.inHandler) }
			b := k.Create(Session{States: States{
				"_start": func(e *Event) any {
					e.Kernel.Sig("DIE", "died")
					return e.Kernel.AliasSet("b")
				},
				"died": func(e *Event) any { e.Kernel.SigHandled(); return nil },
				"outer": func(e *Event) any {
					if tc.recover {
						func() {
							defer func() { _ = recover() }()
							e.Kernel.Call(e.Session, "mid", &marker{})
						}()
						note() // inside outer, after the recovered panic: above the true depth
						r, _ := e.Kernel.Call(e.Session, "echo", "again")
						after = r
						return nil
					}
					e.Kernel.Call(e.Session, "mid", &marker{})
					return nil
				},
				"mid":   func(e *Event) any { e.Kernel.Call(e.Session, "boom", &marker{}); return nil },
				"boom":  func(e *Event) any { panic("boom") },
				"echo":  func(e *Event) any { return e.Arg(0) },
				"_stop": func(e *Event) any { return nil },
				"check": func(e *Event) any {
					note()
					for _, f := range k.evpool {
						leftArgs += len(f.Args)
					}
					return e.Kernel.AliasRemove("b")
				},
			}})
			k.Create(Session{States: States{
				"_start": func(e *Event) any { e.Kernel.Yield("go"); return nil },
				"go": func(e *Event) any {
					e.Kernel.Call(b, "outer")
					note() // back in the caller
					e.Kernel.Post(b, "check")
					return nil
				},
			}})
			if err := k.Run(); err != nil {
				t.Fatal(err)
			}
			wantDepths, wantHandlers := []int{1, 1}, []int{1, 1}
			if tc.recover {
				// outer runs at depth 2; until it returns, the depth
				// stays where the panic left it (boom's, 4), and
				// outer's later call still works.
				wantDepths, wantHandlers = []int{4, 1, 1}, []int{4, 1, 1}
				if after != "again" {
					t.Errorf("call after the recovered panic returned %v", after)
				}
			}
			if !slices.Equal(depths, wantDepths) || !slices.Equal(handlers, wantHandlers) {
				t.Errorf("depths %v, handlers %v; want %v, %v", depths, handlers, wantDepths, wantHandlers)
			}
			if leftArgs != 0 {
				t.Errorf("%d arguments left in the frames of a first-level dispatch", leftArgs)
			}
		})
	}
}
