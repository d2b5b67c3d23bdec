package kernel

import (
	"runtime"
	"testing"
	"time"
)

// TestFramesKeepNothingAlive checks that the pooled dispatch frames, which
// keep their session and heap between dispatches, let go of them when the
// loop sleeps and when Run returns: a stopped session's heap is collected.
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
			collected := make(chan struct{})
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
					_, err := e.Kernel.Call("held", "get", 1, "two")
					return err
				},
			}})
			h = nil
			wait := func() bool {
				for i := 0; i < 50; i++ {
					runtime.GC()
					select {
					case <-collected:
						return true
					case <-time.After(10 * time.Millisecond):
					}
				}
				return false
			}
			if !tc.sleep {
				if err := k.Run(); err != nil {
					t.Fatal(err)
				}
				if !wait() {
					t.Fatal("the stopped session's heap is still referenced after Run")
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
				t.Fatal("the stopped session's heap is still referenced while the loop sleeps")
			}
		})
	}
}
