package responder

import (
	"io"
	"log"
	"testing"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

// loopChannel is a SyncSender that freezes each record as a socket
// channel does and hands it straight back to its responder as a record
// received from "Peer".
type loopChannel struct {
	r   *Responder
	s   *kernel.Session
	dec *message.Decoder
	buf []byte
}

func (c *loopChannel) Send(m *message.Message) bool {
	m.FillKernel("Loop")
	var err error
	if c.buf, err = m.FreezeWith(msgpack.Default, c.buf[:0]); err != nil {
		panic(err)
	}
	rec, err := c.dec.Thaw(c.buf)
	if err != nil {
		panic(err)
	}
	c.r.Request(c, rec)
	return true
}

func (c *loopChannel) Shutdown() {}

func (c *loopChannel) Session() *kernel.Session { return c.s }

func (c *loopChannel) SendsSynchronously() {}

// benchLoop runs body b.N times inside a handler of a kernel whose
// responder has a loopChannel registered as "Peer" and a session "sink"
// publishing "count" and "echo", from a session "client" publishing
// "answer". The first error body returns ends the loop and fails b once
// the kernel's goroutine is done with it.
func benchLoop(b *testing.B, body func(r *Responder) error) {
	k := kernel.MustNew(kernel.WithName("Bench"))
	defer k.Close()
	done := make(chan struct{})
	count := 0
	var err error
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			r := Spawn(e.Kernel, WithLogger(log.New(io.Discard, "", 0)))
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					e.Kernel.AliasSet("sink")
					r.Publish("sink", "count", "echo")
					return nil
				},
				"count": func(*kernel.Event) any { count++; return nil },
				"echo":  func(e *kernel.Event) any { return e.Arg(0) },
			}})
			e.Kernel.AliasSet("client")
			r.Publish("client", "answer")
			ch := &loopChannel{r: r, s: e.Session, dec: message.NewDecoder(msgpack.Default)}
			r.RegisterChannel(ch)
			r.Register(ch, "Peer", []string{"Loop"}, nil)
			e.Kernel.Yield("run", r)
			return nil
		},
		"run": func(e *kernel.Event) any {
			r := e.Arg(0).(*Responder)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err = body(r); err != nil {
					break
				}
			}
			b.StopTimer()
			r.Shutdown()
			e.Kernel.AliasRemove("client")
			close(done)
			return nil
		},
		"answer": func(*kernel.Event) any { count++; return nil },
	}})
	go k.Run()
	<-done
	if err != nil {
		b.Fatal(err)
	}
	if count < b.N {
		b.Fatalf("%d of %d delivered", count, b.N)
	}
}

// BenchmarkPostRoundTrip measures one IKC post from a published session:
// sending it, freezing and thawing it, and handling it as a request.
func BenchmarkPostRoundTrip(b *testing.B) {
	benchLoop(b, func(r *Responder) error {
		_, err := r.Post("poe://Peer/sink/count", int64(70000))
		return err
	})
}

// BenchmarkCallRoundTrip measures one IKC call with its rsvp: the call,
// the request, the response and its delivery to the rsvp state.
func BenchmarkCallRoundTrip(b *testing.B) {
	benchLoop(b, func(r *Responder) error {
		return r.Call("poe://Peer/sink/echo", int64(70000), "poe:answer")
	})
}
