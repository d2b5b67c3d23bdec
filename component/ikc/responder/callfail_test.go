package responder

import (
	"errors"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// TestCallTimeout: a call that gets no answer within its timeout gives its
// rsvp state a *CallError (ErrCallTimeout), the monitors an error "call",
// and takes its permission back; an answered call's timer never fires.
// Perl IKC has no such timeout: the caller waits forever.
func TestCallTimeout(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c, WithCallTimeout(time.Hour))
		echoServer(srv)
		got := make(chan any, 4)
		cli.session("caller", kernel.States{
			"reply": func(e *kernel.Event) any { got <- e.Arg(0); return nil },
			"go": func(e *kernel.Event) any {
				e.Kernel.Post(Alias, "call", "poe://Server/echo/nothing", 1, "poe:reply", 30*time.Millisecond)
				return nil
			},
		})
		mon := cli.session("mon", kernel.States{
			"ev": func(e *kernel.Event) any { cli.rec.add("%v %v", e.Arg(4), e.Arg(5)); return nil },
		})
		watch(cli, mon, "ev", MonitorError)
		cli.k.Post("caller", "go")
		var v any
		select {
		case v = <-got:
		case <-time.After(waitFor):
			t.Fatal("no CallError within the timeout")
		}
		var ce *CallError
		if err, _ := v.(error); !errors.As(err, &ce) || !errors.Is(err, ErrCallTimeout) || ce.Target != "poe://Server/echo/nothing" {
			t.Fatalf("rsvp got %#v", v)
		}
		line := "call No answer from " + srv.k.ID() + " to poe://Server/echo/nothing within its timeout"
		cli.rec.expect(t, line, line, line) // the ID, then each alias
		cli.do(func(*kernel.Event) {
			if len(cli.r.rsvp) != 0 || cli.r.pendingCalls() != 0 {
				t.Errorf("left: rsvp %v pending %d", cli.r.rsvp, cli.r.pendingCalls())
			}
		})

		// Answered in time: the answer, and no timer left behind.
		cli.do(func(*kernel.Event) {
			if err := cli.r.CallTimeout("poe://Server/echo/echo", "x", "poe:/caller/reply", time.Minute); err != nil {
				t.Error(err)
			}
		})
		select {
		case v = <-got:
		case <-time.After(waitFor):
			t.Fatal("no answer")
		}
		if v != "x" {
			t.Fatalf("answer %#v", v)
		}
		cli.do(func(e *kernel.Event) {
			if n := cli.r.pendingCalls(); n != 0 {
				t.Errorf("pending left: %d", n)
			}
		})
		cli.rec.quiet(t, cli, srv)
	})
}

// pendingCalls counts the calls awaiting an answer on every channel.
func (r *Responder) pendingCalls() int {
	n := 0
	for _, pl := range r.pending {
		n += len(pl.calls)
	}
	return n
}
