package responder

import (
	"fmt"
	"testing"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/kernel"
)

func TestMaybeID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", false}, {"7", true}, {"+7", true}, {"-07", true}, {"7a", false}, {"sender", false}, {"1e3", false},
	} {
		if got := maybeID(tc.in); got != tc.want {
			t.Errorf("maybeID(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestFromForIsTheFirstPublishedAlias checks that the from of a session's
// records is its first alias, in sorted order, that has published states,
// however few or many names are published: numeric names (a session ID
// published for a session without aliases, or an alias that looks like
// one) and names other sessions own included.
func TestFromForIsTheFirstPublishedAlias(t *testing.T) {
	tests := []struct {
		name    string
		aliases []string // of the session under test
		publish []string // names published with a state (besides IKC)
		empty   []string // names published without states
		others  int      // further sessions with a published alias each
		want    string   // "" for no from
	}{
		{"no alias", nil, []string{"x"}, nil, 0, ""},
		{"one published alias", []string{"b"}, []string{"b"}, nil, 0, "b"},
		{"the first in sorted order", []string{"d", "c", "e"}, []string{"e", "d"}, nil, 0, "d"},
		{"an alias published without states", []string{"a", "b"}, []string{"b"}, []string{"a"}, 0, "b"},
		{"unpublished aliases", []string{"a"}, []string{"z"}, nil, 0, ""},
		{"a numeric alias", []string{"42"}, []string{"42"}, nil, 0, "42"},
		{"its own ID published", nil, []string{"SELF"}, nil, 0, ""},
		{"its own ID published, and an alias", []string{"m"}, []string{"SELF", "m"}, nil, 0, "m"},
		{"many published names", []string{"k", "q"}, []string{"q", "k"}, nil, 40, "k"},
		{"many published names, its ID among them", []string{"q"}, []string{"SELF", "q"}, nil, 40, "q"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSide(t, "K")
			var sess *kernel.Session
			s.do(func(e *kernel.Event) {
				sess = e.Kernel.Create(kernel.Session{States: kernel.States{"_start": func(e *kernel.Event) any {
					e.Kernel.RefcountIncrement(e.Session, "test") // alive without aliases
					for _, a := range tc.aliases {
						e.Kernel.AliasSet(a)
					}
					return nil
				}}})
				for i := range tc.others {
					name := fmt.Sprintf("other%02d", i)
					e.Kernel.Create(kernel.Session{States: kernel.States{"_start": func(e *kernel.Event) any {
						return e.Kernel.AliasSet(name)
					}}})
					s.r.publish(nil, name, []string{"st"})
				}
				for _, p := range tc.publish {
					if p == "SELF" {
						p = fmt.Sprint(sess.ID())
					}
					s.r.publish(nil, p, []string{"st"})
				}
				for _, p := range tc.empty {
					s.r.publish(nil, p, nil)
				}
			})
			var got message.Address
			var has bool
			s.do(func(*kernel.Event) { got, has = s.r.fromFor(sess) })
			if tc.want == "" {
				if has {
					t.Fatalf("from %+v, want none", got)
				}
				return
			}
			want := message.Address{Kernel: s.k.ID(), Session: tc.want, State: message.ProxyState}
			if !has || got != want {
				t.Fatalf("from %+v (%v), want %+v", got, has, want)
			}
			// A retraction is seen at once.
			s.do(func(*kernel.Event) {
				s.r.retract(nil, tc.want, nil, true)
				got, has = s.r.fromFor(sess)
			})
			if has && got.Session == tc.want {
				t.Errorf("from still %q after it was retracted", tc.want)
			}
		})
	}
}

// keepingChannel keeps every message it is given, as a Channel that is no
// SyncSender may.
type keepingChannel struct {
	s    *kernel.Session
	kept []*message.Message
}

func (c *keepingChannel) Send(m *message.Message) bool {
	c.kept = append(c.kept, m)
	return true
}

func (c *keepingChannel) Shutdown() {}

func (c *keepingChannel) Session() *kernel.Session { return c.s }

// TestChannelsMayKeepMessages checks that a channel that is no SyncSender
// gets a message of its own for each record.
func TestChannelsMayKeepMessages(t *testing.T) {
	s := newSide(t, "K")
	ch := &keepingChannel{}
	s.do(func(e *kernel.Event) {
		ch.s = e.Session
		s.r.RegisterChannel(ch)
		if !s.r.Register(ch, "Peer", nil, nil) {
			t.Error("register failed")
		}
	})
	s.do(func(*kernel.Event) {
		for i := range 3 {
			if _, err := s.r.Post(fmt.Sprintf("poe://Peer/s/e%d", i), int64(i)); err != nil {
				t.Error(err)
			}
		}
		if err := s.r.Call("poe://Peer/s/c", "x", "poe:/runner/answer"); err != nil {
			t.Error(err)
		}
	})
	s.do(func(*kernel.Event) {
		if len(ch.kept) != 4 {
			t.Errorf("%d records sent", len(ch.kept))
			return // Fatal may not stop the kernel's goroutine
		}
		for i, m := range ch.kept[:3] {
			if m.Event != fmt.Sprintf("poe://Peer/s/e%d", i) || m.Params != int64(i) {
				t.Errorf("record %d is now %s %v", i, m.Event, m.Params)
			}
		}
		if c := ch.kept[3]; c.RSVP == nil || c.RSVP.State != "answer" {
			t.Errorf("the call's rsvp is %+v", c.RSVP)
		}
	})
}

// TestParseRemembers checks the responder's table of parsed specifiers:
// every answer is specifier.Parse's, whether remembered, colliding or
// refused, and a refused string is never remembered.
func TestParseRemembers(t *testing.T) {
	r := &Responder{}
	inputs := []string{
		"poe://Server/echo/echo", "poe://Server/echo/echo", "poe:answer", "poe://Srv/a/b?x",
		"not a specifier!", "not a specifier!", "", "0", "poe://K/s/aa", "poe://K/s/ba", "poe://K/s/aa",
	}
	for i := range 40 {
		inputs = append(inputs, fmt.Sprintf("poe://K%d/s/e", i%7))
	}
	for _, in := range inputs {
		want, wantErr := specifier.Parse(in)
		got, err := r.parse(in)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("parse(%q) = %+v, %v; Parse: %+v, %v", in, got, err, want, wantErr)
		}
	}
	for _, slot := range r.specs {
		if _, err := specifier.Parse(slot.s); slot.s != "" && err != nil {
			t.Errorf("a refused string is remembered: %q", slot.s)
		}
	}
}

// TestUnregisterForgetsTheLastLookUps checks that the look-ups remembered
// for the channel last used do not outlive its registration: a record it
// hands in afterwards is dropped, and registered again, its calls are
// pending on it.
func TestUnregisterForgetsTheLastLookUps(t *testing.T) {
	s := newSide(t, "K")
	ran := 0
	s.session("sink", kernel.States{"count": func(*kernel.Event) any { ran++; return nil }})
	ch := &keepingChannel{}
	rec := message.Post("poe://K/sink/count", int64(1), nil)
	call := func() {
		if err := s.r.Call("poe://Peer/s/c", "x", "poe:/runner/answer"); err != nil {
			t.Error(err)
		}
	}
	s.do(func(e *kernel.Event) {
		ch.s = e.Session
		s.r.Publish("sink", "count")
		s.r.RegisterChannel(ch)
		if !s.r.Register(ch, "Peer", nil, nil) {
			t.Error("register failed")
		}
		s.r.Request(ch, &rec)
		call()
		s.r.Unregister(ch)
		s.r.Request(ch, &rec)
		if ran != 1 {
			t.Errorf("the handler ran %d times, want once: a record after Unregister was handled", ran)
		}
		if !s.r.Register(ch, "Peer", nil, nil) {
			t.Error("register again failed")
		}
		call()
		if n := s.r.pendingCalls(); n != 1 {
			t.Errorf("%d calls pending after registering again, want 1", n)
		}
	})
}
