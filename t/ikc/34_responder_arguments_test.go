// This file has no Perl twin among IKC's tests: it holds what the IKC
// session's states do with odd or bad arguments, each case taken from
// Perl IKC 0.2402 on POE 1.370 run with the same calls. Where Perl dies
// (raw_message of a string, publish or unsubscribe of a hash, monitor with
// a list), the Go responder warns and carries on, as its documentation
// promises; everything else does what Perl does.
package ikc_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"testing"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

// lineWriter turns each log line into a recorded line.
type lineWriter func(string)

func (w lineWriter) Write(p []byte) (int, error) {
	w(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// runLocalStates runs a kernel named Local whose session "test"
// publishes e and f, watches "*" for errors and then runs do. IKC
// warnings are recorded as "warn <text>", monitor errors as
// "error <operation> <message>", the states as "got e <ARG0>" (e answers
// 42) and "answer <ARG0>". The kernel ends with an IKC/shutdown yielded
// after do.
func runLocalStates(t *testing.T, do func(e *kernel.Event, r *responder.Responder, logf func(string, ...any))) []string {
	t.Helper()
	k := kernel.MustNew(kernel.WithName("Local"))
	defer k.Close()
	var lines []string
	logf := func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
	warnings := log.New(lineWriter(func(l string) { logf("warn %s", l) }), "", 0)
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("test")
			r := responder.Spawn(e.Kernel, responder.WithLogger(warnings))
			r.RegisterLocal([]string{"Local"})
			e.Kernel.Call(responder.Alias, "publish", "test", []string{"e", "f"})
			e.Kernel.Call(responder.Alias, "monitor", "*", map[string]string{"error": "err"})
			do(e, r, logf)
			e.Kernel.Yield("stop")
			return nil
		},
		"e":      func(e *kernel.Event) any { logf("got e %v", e.Arg(0)); return 42 },
		"f":      func(e *kernel.Event) any { logf("got f %v", e.Arg(0)); return nil },
		"ans":    func(e *kernel.Event) any { logf("answer %v", e.Arg(0)); return nil },
		"err":    func(e *kernel.Event) any { logf("error %v %v", e.Arg(4), e.Arg(5)); return nil },
		"stop":   func(e *kernel.Event) any { e.Kernel.Post(responder.Alias, "shutdown"); return nil },
		"_child": func(*kernel.Event) any { return nil },
	}})
	runWithin(t, k, wait)
	return lines
}

// matchLines checks lines against patterns, one each, in order; "*" in a
// pattern stands for any text.
func matchLines(t *testing.T, lines, patterns []string) {
	t.Helper()
	ok := len(lines) == len(patterns)
	for i := 0; ok && i < len(lines); i++ {
		ok = matchParts(lines[i], strings.Split(patterns[i], "*"))
	}
	if !ok {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(lines, "\n  "), strings.Join(patterns, "\n  "))
	}
}

// TestStatesWithOddArguments calls post2, raw_message, call, retract,
// unsubscribe, publish, subscribe and monitor the way the Perl script did.
func TestStatesWithOddArguments(t *testing.T) {
	pid := os.Getpid()
	call := func(e *kernel.Event, logf func(string, ...any), state string, args ...any) {
		n, err := e.Kernel.Call(responder.Alias, state, args...)
		if err != nil {
			logf("call failed: %v", err)
			return
		}
		logf("returned %v", n)
	}
	for _, tc := range []struct {
		name string
		do   func(e *kernel.Event, logf func(string, ...any))
		want []string
	}{
		{
			name: "post2 to an unknown kernel returns 0 and reports a resolve error",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "post2", "poe://Nobody/test/e", "test", 1)
			},
			want: []string{"returned 0", fmt.Sprintf("error resolve %d: Unknown kernel 'Nobody'.", pid)},
		},
		{
			name: "post2 without a target warns and sends nothing",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "post2", nil, "test", 1)
			},
			want: []string{"warn post2: * target is undef", "returned 0"},
		},
		{
			name: "post2 delivers ARG2 to the target",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "post2", "poe://Local/test/e", "test", "p2")
			},
			want: []string{"got e p2", "returned 1"},
		},
		{
			name: "raw_message of a string warns (Perl dies)",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "raw_message", "junk", "test")
			},
			want: []string{"warn raw_message: *", "returned 0"},
		},
		{
			name: "raw_message of a record hash delivers it",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "raw_message", map[string]any{"event": "poe://Local/test/e", "params": "raw"}, "test")
			},
			want: []string{"got e raw", "returned 1"},
		},
		{
			name: "raw_message whose event names no state warns and sends nothing",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "raw_message", map[string]any{"event": "poe://Local/test", "params": "raw"}, "test")
			},
			want: []string{"warn * poe://Local/test *", "returned 0"},
		},
		{
			name: "call without an rsvp warns and sends nothing",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "call", "poe://Local/test/e", "c1")
			},
			want: []string{"warn call: * rsvp is undef", "returned <nil>"},
		},
		{
			name: "call whose rsvp names no state warns and sends nothing",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "call", "poe://Local/test/e", "c2", "poe://Local/test")
			},
			want: []string{"warn call: * names no state", "returned <nil>"},
		},
		{
			name: "call whose rsvp is a list warns and sends nothing",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "call", "poe://Local/test/e", "c3", []any{int64(1)})
			},
			want: []string{"warn call: * rsvp is []interface {}", "returned <nil>"},
		},
		{
			name: "call whose rsvp is a specifier hash is answered there",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "call", "poe://Local/test/e", "c4",
					map[string]any{"kernel": "Local", "session": "test", "state": "ans"})
			},
			want: []string{"got e c4", "answer 42", "returned <nil>"},
		},
		{
			name: "call with poe:state is answered to SENDER",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "call", "poe://Local/test/e", "c5", "poe:ans")
			},
			want: []string{"got e c5", "answer 42", "returned <nil>"},
		},
		{
			name: "retract of a session that published nothing returns 0",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "retract", "nobody", []string{"x"})
			},
			want: []string{"returned 0"},
		},
		{
			name: "retract of one state leaves the others published",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "retract", "test", []string{"f"})
				call(e, logf, "published", "test")
			},
			want: []string{"returned 1", "returned [e]"},
		},
		{
			name: "retract with a hash of states warns and retracts nothing",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "retract", "test", map[string]any{"f": 1})
				call(e, logf, "published", "test")
			},
			want: []string{"warn retract: states are map[string]interface {}, want a list", "returned 0", "returned [e f]"},
		},
		{
			name: "unsubscribe from a session never subscribed to does nothing",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "unsubscribe", "poe://Nobody/x")
				call(e, logf, "unsubscribe", []string{})
			},
			want: []string{"returned <nil>", "returned <nil>"},
		},
		{
			name: "unsubscribe of a hash warns (Perl dies)",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "unsubscribe", map[string]any{})
			},
			want: []string{"warn unsubscribe: specs are map[string]interface {}, want a list", "returned <nil>"},
		},
		{
			name: "subscribe to a number warns (Perl dies)",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "subscribe", 17)
			},
			want: []string{"warn subscribe: specs are int, want a list", "returned <nil>"},
		},
		{
			name: "publish of a hash warns and publishes nothing (Perl dies)",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "publish", "test", map[string]any{"a": 1})
				call(e, logf, "published", "test")
			},
			want: []string{"warn publish: states are map[string]interface {}, want a list", "returned 0", "returned [e f]"},
		},
		{
			name: "monitor with a scalar stops watching",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "monitor", "*", "junk")
				call(e, logf, "post", "poe://Nobody/x/y", 1)
			},
			want: []string{"returned <nil>", "warn resolve: * Unknown kernel 'Nobody'.", "returned 0"},
		},
		{
			name: "monitor with a list warns and keeps watching (Perl dies)",
			do: func(e *kernel.Event, logf func(string, ...any)) {
				call(e, logf, "monitor", "*", []string{"error", "err"})
				call(e, logf, "post", "poe://Nobody/x/y", 1)
			},
			want: []string{"warn monitor: events are []string, want a hash", "returned <nil>", "returned 0",
				fmt.Sprintf("error resolve %d: Unknown kernel 'Nobody'.", pid)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := runLocalStates(t, func(e *kernel.Event, _ *responder.Responder, logf func(string, ...any)) {
				tc.do(e, logf)
			})
			matchLines(t, lines, tc.want)
		})
	}
}

// TestSendIsRawMessage holds Responder.Send, the typed raw_message: it
// routes the record by its event and returns the number of kernels
// reached; the caller's published alias is the from unless the record
// has one; it fails with ErrBadSpecifier, ErrNoKernel and, after
// IKC/shutdown, ErrShutdown.
func TestSendIsRawMessage(t *testing.T) {
	lines := runLocalStates(t, func(e *kernel.Event, r *responder.Responder, logf func(string, ...any)) {
		if r.Kernel() != e.Kernel {
			t.Errorf("Kernel() = %v, want the kernel it was spawned on", r.Kernel())
		}
		e.Kernel.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet("other")
				e.Kernel.Call(responder.Alias, "publish", "other", []string{"back"})
				return nil
			},
			"back": func(e *kernel.Event) any { logf("other got back %v", e.Arg(0)); return nil },
		}})
		e.Kernel.Call(responder.Alias, "publish", "test", []string{"back", "reply"})
		e.Kernel.State("back", func(e *kernel.Event) any { logf("test got back %v", e.Arg(0)); return nil })
		e.Kernel.State("reply", func(e *kernel.Event) any {
			logf("reply %v", e.Arg(0))
			// A post would reach the thunk after later requests had
			// pointed it elsewhere: the latest request's from gets the
			// events posted to a thunk, as in Perl.
			e.Kernel.Call(e.Sender, "back", e.Arg(0))
			return nil
		})
		send := func(m message.Message) {
			n, err := r.Send(m)
			logf("sent to %d, %v", n, errName(err))
		}
		send(message.Post("poe://Local/test/e", "sent", nil))
		send(message.Post("poe://Local/test/reply", "from test", nil))
		other := message.Address{Kernel: e.Kernel.ID(), Session: "other", State: message.ProxyState}
		send(message.Post("poe://Local/test/reply", "from other", &other))
		call := message.Post("poe://Local/test/e", "called", nil)
		rsvp := message.Address{Kernel: "Local", Session: "test", State: "ans"}
		call.RSVP = &rsvp
		send(call)
		send(message.Post("poe://Local/test", "no state", nil))
		send(message.Post("poe://Nobody/test/e", "nowhere", nil))
		// The answers through the thunks are posts: shut down after them.
		e.Kernel.State("finish", func(*kernel.Event) any {
			r.Shutdown()
			send(message.Post("poe://Local/test/e", "after shutdown", nil))
			return nil
		})
		e.Kernel.Yield("finish")
	})
	matchLines(t, lines, []string{
		"got e sent",
		"sent to 1, <nil>",
		"reply from test",
		"test got back from test",
		"sent to 1, <nil>",
		"reply from other",
		"other got back from other",
		"sent to 1, <nil>",
		"got e called",
		"answer 42",
		"sent to 1, <nil>",
		"warn * poe://Local/test *",
		"sent to 0, ErrBadSpecifier",
		"sent to 0, ErrNoKernel",
		"error resolve *: Unknown kernel 'Nobody'.",
		"sent to 0, ErrShutdown",
	})
}

// errName names the responder error err wraps.
func errName(err error) string {
	for _, e := range []struct {
		err  error
		name string
	}{
		{responder.ErrBadSpecifier, "ErrBadSpecifier"},
		{responder.ErrNoKernel, "ErrNoKernel"},
		{responder.ErrShutdown, "ErrShutdown"},
	} {
		if errors.Is(err, e.err) {
			return e.name
		}
	}
	return fmt.Sprint(err)
}

// TestMonitorsOfGoneSessionsAndMonitorsRemovedInACallback holds what
// happens to monitors that stop mattering, in the order Perl IKC 0.2402
// gives: a session that went away without unwatching gets nothing more,
// and the monitors still there get every error; a watcher that stops
// watching from its own error callback still gets the errors already
// reported (callbacks are posts), and none after. With no monitor left,
// the Go responder warns of the error (Perl stays silent about a resolve
// error, and would have kept the gone session's monitor).
func TestMonitorsOfGoneSessionsAndMonitorsRemovedInACallback(t *testing.T) {
	lines := runLocalStates(t, func(e *kernel.Event, _ *responder.Responder, logf func(string, ...any)) {
		post := func(e *kernel.Event, n int) {
			got, _ := e.Kernel.Call(responder.Alias, "post", "poe://Nobody/x/y", n)
			logf("post %d returned %v", n, got)
		}
		errors := 0
		e.Kernel.State("err", func(e *kernel.Event) any {
			errors++
			logf("error %d %v", errors, e.Arg(4))
			if errors == 1 {
				e.Kernel.Call(responder.Alias, "monitor", "*", nil)
				e.Kernel.Yield("again")
			}
			return nil
		})
		e.Kernel.State("go", func(e *kernel.Event) any {
			post(e, 1)
			post(e, 2)
			return nil
		})
		e.Kernel.State("hop", func(e *kernel.Event) any { e.Kernel.Yield("go"); return nil })
		e.Kernel.State("again", func(e *kernel.Event) any {
			post(e, 3)
			e.Kernel.Post(responder.Alias, "shutdown")
			return nil
		})
		e.Kernel.State("stop", func(*kernel.Event) any { return nil }) // again ends it
		test := e.Session
		e.Kernel.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet("gone")
				e.Kernel.Call(responder.Alias, "monitor", "*", map[string]string{"error": "gone_err"})
				return nil
			},
			"gone_err": func(e *kernel.Event) any { logf("gone got an error"); return nil },
			"leave": func(e *kernel.Event) any {
				e.Kernel.AliasRemove("gone")
				// The event gone posts holds it until dispatched: gone
				// stops once hop has run, before go.
				e.Kernel.Post(test, "hop")
				return nil
			},
			"_stop": func(e *kernel.Event) any { logf("gone stopped"); return nil },
		}})
		e.Kernel.Post("gone", "leave")
	})
	matchLines(t, lines, []string{
		"gone stopped",
		"post 1 returned 0",
		"post 2 returned 0",
		"error 1 resolve",
		"error 2 resolve",
		"warn resolve: * Unknown kernel 'Nobody'.",
		"post 3 returned 0",
	})
}
