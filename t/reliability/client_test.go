package reliability

import (
	"io"
	"log"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

// liveClient is a Go kernel with an IKC Client, on its own goroutine: its
// monitor events and OnError reports go to ev, call answers to answers.
type liveClient struct {
	k       *kernel.Kernel
	ev      *events
	ran     chan error
	answers chan any
	connect chan struct{}
}

func startClient(t testing.TB, opts client.Options) *liveClient {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "Cli"
	}
	c := &liveClient{k: kernel.MustNew(kernel.WithName(opts.Name)), ev: newEvents(), ran: make(chan error, 1),
		answers: make(chan any, 1024), connect: make(chan struct{}, 16)}
	onConnect := opts.OnConnect
	opts.OnConnect = func() {
		if onConnect != nil {
			onConnect()
		}
		c.connect <- struct{}{}
	}
	opts.OnError = func(op string, errno int, text string) {
		c.ev.add(ev{kind: "error", name: "on_error", op: op, msg: text})
	}
	responder.Spawn(c.k, responder.WithLogger(log.New(io.Discard, "", 0)))
	c.k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("caller")
			e.Kernel.Post("IKC", "monitor", "*", map[string]string{
				"error": "error", "register": "register", "unregister": "unregister",
			})
			if _, err := client.Spawn(e.Kernel, opts); err != nil {
				t.Error(err)
			}
			return nil
		},
		"error": func(e *kernel.Event) any {
			c.ev.add(ev{kind: "error", name: e.ArgString(1), op: e.ArgString(4), msg: e.ArgString(5)})
			return nil
		},
		"register":   func(e *kernel.Event) any { c.ev.add(ev{kind: "register", name: e.ArgString(1)}); return nil },
		"unregister": func(e *kernel.Event) any { c.ev.add(ev{kind: "unregister", name: e.ArgString(1)}); return nil },
		// call ARG0 spec, ARG1 params, ARG2 optional timeout.
		"call": func(e *kernel.Event) any {
			args := []any{e.Arg(0), e.Arg(1), "poe:answer"}
			if d, ok := e.Arg(2).(time.Duration); ok {
				args = append(args, d)
			}
			e.Kernel.Post("IKC", "call", args...)
			return nil
		},
		"post": func(e *kernel.Event) any {
			e.Kernel.Post("IKC", "post", e.Arg(0), e.Arg(1))
			return nil
		},
		"answer": func(e *kernel.Event) any { c.answers <- e.Arg(0); return nil },
		"quit": func(e *kernel.Event) any {
			e.Kernel.Stop()
			return nil
		},
	}})
	go func() { c.ran <- c.k.Run() }()
	t.Cleanup(func() {
		c.k.Post("caller", "quit")
		select {
		case <-c.ran:
		case <-time.After(10 * time.Second):
			t.Error("client kernel did not stop")
		}
		c.k.Close()
	})
	return c
}

// connected waits for OnConnect.
func (c *liveClient) connected(t testing.TB, d time.Duration) bool {
	t.Helper()
	select {
	case <-c.connect:
		return true
	case <-time.After(d):
		return false
	}
}

// call calls spec with v and waits for the answer (or a *CallError).
func (c *liveClient) call(t testing.TB, spec string, v any, timeout time.Duration) any {
	t.Helper()
	if timeout > 0 {
		c.k.Post("caller", "call", spec, v, timeout)
	} else {
		c.k.Post("caller", "call", spec, v)
	}
	select {
	case a := <-c.answers:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
		return nil
	}
}
