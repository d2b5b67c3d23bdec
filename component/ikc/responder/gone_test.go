package responder

import (
	"testing"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
)

// TestMonitorsOfGoneSessionsAreForgotten: a session that stops without
// unwatching is dropped from the monitors the first time an event for it
// cannot be posted, and a name left with no watcher is forgotten. Perl
// keeps such monitors forever (POE never reuses a session ID, so nothing
// reaches them); the Go responder does not let them pile up.
func TestMonitorsOfGoneSessionsAreForgotten(t *testing.T) {
	for _, tc := range []struct {
		name    string
		watched string
		others  int // live watchers of the same name
	}{
		{"a name whose only watcher went is forgotten", "*", 0},
		{"the live watchers of a name stay", "*", 1},
		{"a kernel name whose watcher went is forgotten", "Nobody", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSide(t, "Local")
			watchers := func() (n int) {
				s.do(func(*kernel.Event) { n = len(s.r.monitors[tc.watched]) })
				return n
			}
			for range tc.others {
				s.do(func(e *kernel.Event) {
					sess := e.Kernel.Create(kernel.Session{States: kernel.States{
						"_start": func(e *kernel.Event) any {
							e.Kernel.RefcountIncrement(e.Session, "test") // alive without an alias
							return nil
						},
						"err": func(*kernel.Event) any { s.rec.add("live"); return nil },
					}})
					s.r.setMonitor(sess, tc.watched, map[string]string{MonitorError: "err"}, nil)
				})
			}
			gone := s.session("gone", kernel.States{
				"leave": func(e *kernel.Event) any { e.Kernel.AliasRemove("gone"); return nil },
				"_stop": func(*kernel.Event) any { s.rec.add("gone stopped"); return nil },
			})
			s.do(func(*kernel.Event) {
				s.r.setMonitor(gone, tc.watched, map[string]string{MonitorError: "err"}, nil)
			})
			if n := watchers(); n != tc.others+1 {
				t.Fatalf("%d watchers of %q, want %d", n, tc.watched, tc.others+1)
			}
			s.k.Post(gone, "leave")
			s.rec.expect(t, "gone stopped")
			alive := true
			s.do(func(*kernel.Event) { alive = gone.Alive() })
			if alive {
				t.Fatal("the watching session is still alive")
			}
			s.do(func(*kernel.Event) { s.r.informError("Nobody", "resolve", "gone") })
			for range tc.others {
				s.rec.expect(t, "live")
			}
			if n := watchers(); n != tc.others {
				t.Errorf("%d watchers of %q left, want %d", n, tc.watched, tc.others)
			}
			s.do(func(*kernel.Event) {
				if _, kept := s.r.monitors[tc.watched]; kept != (tc.others > 0) {
					t.Errorf("the monitors of %q kept: %v", tc.watched, kept)
				}
			})
		})
	}
}

// TestLocalPseudoChannel: the local kernel pseudo-channel has no session
// of its own (the responder's stands for it) and its Shutdown leaves it
// working, as the responder forgets it itself on IKC/shutdown.
func TestLocalPseudoChannel(t *testing.T) {
	s := newSide(t, "Local")
	s.session("echo", kernel.States{"echo": func(e *kernel.Event) any {
		s.rec.add("echo %v", e.Arg(0))
		return nil
	}})
	s.do(func(*kernel.Event) {
		s.r.RegisterLocal(nil)
		s.r.Publish("echo", "echo")
		ch := s.r.channels[s.r.localID]
		if ch == nil {
			t.Fatal("no local channel")
		}
		if got := ch.Session(); got != s.r.Session() {
			t.Errorf("local channel session = %v, want the responder's %v", got, s.r.Session())
		}
		ch.Shutdown()
		if !ch.Send(&message.Message{Event: "poe://Local/echo/echo", Params: "after Shutdown"}) {
			t.Error("the local channel refused a record after its Shutdown")
		}
	})
	s.rec.expect(t, "echo after Shutdown")
}
