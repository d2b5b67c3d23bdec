package responder

import (
	"fmt"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// echoServer gives srv a session "echo" publishing echo, double and
// answer_later, recording what it receives.
func echoServer(srv *side) {
	srv.session("echo", kernel.States{
		"echo": func(e *kernel.Event) any {
			srv.rec.add("echo %s", argsString(e.Args))
			return e.Arg(0)
		},
		"double": func(e *kernel.Event) any {
			return e.ArgInt(0) * 2
		},
		"nothing": func(e *kernel.Event) any { return nil },
		"secret":  func(e *kernel.Event) any { srv.rec.add("secret ran"); return nil },
	})
	srv.do(func(e *kernel.Event) { srv.r.Publish("echo", "echo", "double", "nothing") })
}

func TestPostReachesAPublishedStateOnTheOtherKernel(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		echoServer(srv)
		cli.do(func(e *kernel.Event) {
			e.Kernel.Post(Alias, "post", "poe://Server/echo/echo", "hi")
		})
		srv.rec.expect(t, "echo hi")
		cli.do(func(e *kernel.Event) {
			n, err := cli.r.Post("SrvAlias/echo/echo", []any{"a", int64(1)})
			if n != 1 || err != nil {
				t.Errorf("Post = %d, %v", n, err)
			}
		})
		srv.rec.expect(t, "echo [a 1]")
		// No kernel: the default kernel is the first one registered.
		cli.do(func(e *kernel.Event) { cli.r.Post("poe:/echo/echo", "default") })
		srv.rec.expect(t, "echo default")
	})
}

func TestCallAnswersTheRsvpOnce(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		echoServer(srv)
		caller := cli.session("caller", kernel.States{
			"answer": func(e *kernel.Event) any {
				cli.rec.add("answer %v from %v", e.Arg(0), e.Sender.ID() > 0)
				return nil
			},
			"go": func(e *kernel.Event) any {
				e.Kernel.Post(Alias, "call", "poe://Server/echo/double", int64(21), "poe:answer")
				return nil
			},
		})
		cli.k.Post(caller, "go")
		cli.rec.expect(t, "answer 42 from true")
		// The permission was used: posting to the rsvp again is refused.
		cli.do(func(e *kernel.Event) {
			if len(cli.r.rsvp) != 0 {
				t.Errorf("permissions left: %v", cli.r.rsvp)
			}
		})
		// A typed call with an explicit session.
		cli.do(func(e *kernel.Event) {
			if err := cli.r.Call("poe://Server/echo/echo", "x", "poe:/caller/answer"); err != nil {
				t.Errorf("Call: %v", err)
			}
		})
		srv.rec.expect(t, "echo x")
		cli.rec.expect(t, "answer x from true")
		// A handler returning nil answers nothing; the permission lingers.
		cli.do(func(e *kernel.Event) { cli.r.Call("poe://Server/echo/nothing", "x", "poe:/caller/answer") })
		cli.rec.quiet(t, srv, cli)
		cli.do(func(e *kernel.Event) {
			if cli.r.rsvp[rsvpKey{"caller", "answer"}] != 1 {
				t.Errorf("permissions: %v", cli.r.rsvp)
			}
		})
	})
}

// monitorErrors makes a session on s that records every error monitor
// event of "*".
func monitorErrors(s *side) {
	s.session("errmon", kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("errmon")
			s.r.Monitor("*", map[string]string{"error": "err"}, nil)
			return nil
		},
		"err": func(e *kernel.Event) any {
			s.rec.add("error %v %v %v %v %v", e.Arg(1), e.Arg(2), e.Arg(3), e.Arg(4), e.Arg(5))
			return nil
		},
	})
}

func TestUnpublishedStatesAreRefusedOnBothSides(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		echoServer(srv)
		monitorErrors(srv)
		monitorErrors(cli)
		sender := cli.session("sender", kernel.States{
			"go": func(e *kernel.Event) any {
				cli.r.Post("poe://Server/echo/secret", nil)
				cli.r.Post("poe://Server/nobody/x", nil)
				return nil
			},
		})
		cli.do(func(e *kernel.Event) { cli.r.Publish("sender", "y") })
		cli.k.Post(sender, "go")
		from := fmt.Sprintf("poe://%s/sender/IKC:proxy", cli.k.ID())
		text1 := "Session 'echo' has not published state 'secret'.  Request poe://Server/echo/secret sent by " + from
		text2 := "Session 'nobody' is not available for remote kernels.  Request poe://Server/nobody/x sent by " + from
		// Under the kernel the requests named, as Perl's _error_response.
		srv.rec.expect(t,
			"error Server <nil> <nil> local-check "+text1,
			"error Server <nil> <nil> local-check "+text2)
		cli.rec.expect(t,
			"error Server <nil> <nil> remote-check "+text1,
			"error Server <nil> <nil> remote-check "+text2)
	})
}

func TestUnknownKernelsAreResolveErrors(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		_, cli, _, _ := pair(t, c)
		monitorErrors(cli)
		cli.do(func(e *kernel.Event) {
			n, err := cli.r.Post("poe://Unknown/echo/echo", 1)
			if n != 0 || err == nil {
				t.Errorf("Post = %d, %v", n, err)
			}
		})
		// To the monitors of "*" only, under "*", as Perl's send_msg.
		cli.rec.expect(t, fmt.Sprintf("error * <nil> <nil> resolve %d: Unknown kernel 'Unknown'.", cli.r.pid))
	})
}

func TestPingAnswersPONG(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		_, cli, _, _ := pair(t, c)
		cli.session("pinger", kernel.States{
			"pong": func(e *kernel.Event) any { cli.rec.add("pong %v", e.Arg(0)); return nil },
		})
		cli.do(func(e *kernel.Event) { cli.r.Call("poe://Server/IKC/ping", "PING", "poe:/pinger/pong") })
		cli.rec.expect(t, "pong PONG")
	})
}
