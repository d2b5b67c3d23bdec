package responder

import (
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/msgpack"
	"github.com/poe-go/poe/poe/serial/storable"
)

// The two-kernel harness: each side is a kernel running on its own
// goroutine with a responder; a fake channel pair freezes every record
// with a real serializer and hands the bytes to the other kernel through
// its goroutine-safe Post, where a small channel session thaws them and
// calls Request. No sockets.

const waitFor = 5 * time.Second

// codec is how a fake channel's records travel: with s, the channel's
// way (the message freezes itself, and a message.Decoder thaws, into a
// *message.Message when the serializer allows), or, when generic is set,
// as the record's hash through s's own Freeze and Thaw, which Request
// then reads with message.FromValue.
type codec struct {
	name    string
	s       serial.Serializer
	generic bool
}

// codecs are the ways records travel in these tests: every serializer the
// channel's way, and MessagePack the generic way too, since its channel
// way has an encoder and a decoder of its own. For Storable the two ways
// are one (FreezeWith and the Decoder hand it the record's hash), so its
// single case covers both.
var codecs = []codec{
	{name: "storable", s: storable.Default},
	{name: "msgpack", s: msgpack.Default, generic: true},
	{name: "msgpack-direct", s: msgpack.Default},
}

// freeze is m as c sends it.
func (c codec) freeze(m *message.Message) ([]byte, error) {
	if c.generic {
		return c.s.Freeze(nil, m.Value())
	}
	return m.FreezeWith(c.s, nil)
}

// thawer returns what one connection thaws with: a message.Decoder keeps
// state from record to record, so each connection has its own.
func (c codec) thawer() func([]byte) (any, error) {
	if c.generic {
		return c.s.Thaw
	}
	return message.NewDecoder(c.s).Thaw
}

// forEachCodec runs f once per codec, as a subtest named for it.
func forEachCodec(t *testing.T, f func(t *testing.T, c codec)) {
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) { f(t, c) })
	}
}

// side is one kernel of a test.
type side struct {
	t      *testing.T
	name   string
	k      *kernel.Kernel
	r      *Responder
	runner *kernel.Session
	ran    chan error
	rec    *recorder
}

func newSide(t *testing.T, name string, opts ...Option) *side {
	t.Helper()
	s := &side{t: t, name: name, k: kernel.MustNew(kernel.WithName(name)), ran: make(chan error, 1), rec: newRecorder()}
	opts = append([]Option{WithLogger(log.New(io.Discard, "", 0))}, opts...)
	s.runner = s.k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			s.r = Spawn(e.Kernel, opts...)
			e.Kernel.RefcountIncrement(e.Session, "test")
			return nil
		},
		"do": func(e *kernel.Event) any {
			e.Arg(0).(func(*kernel.Event))(e)
			close(e.Arg(1).(chan struct{}))
			return nil
		},
		"quit": func(e *kernel.Event) any { e.Kernel.Stop(); return nil },
	}})
	go func() { s.ran <- s.k.Run() }()
	t.Cleanup(s.stop)
	return s
}

// do runs fn in the runner session on the side's loop and waits for it.
func (s *side) do(fn func(e *kernel.Event)) {
	s.t.Helper()
	done := make(chan struct{})
	if err := s.k.Post(s.runner, "do", fn, done); err != nil {
		s.t.Fatalf("%s: post do: %v", s.name, err)
	}
	select {
	case <-done:
	case <-time.After(waitFor):
		s.t.Fatalf("%s: do did not run within %s", s.name, waitFor)
	}
}

func (s *side) stop() {
	s.k.Post(s.runner, "quit")
	select {
	case <-s.ran:
	case <-time.After(waitFor):
		s.t.Errorf("%s: kernel did not stop", s.name)
	}
	s.k.Close()
}

// session creates a session on the side (from the runner) with an alias
// and states, each recording through the side's recorder when rec is set.
func (s *side) session(alias string, states kernel.States) *kernel.Session {
	var sess *kernel.Session
	s.do(func(e *kernel.Event) {
		all := kernel.States{"_start": func(e *kernel.Event) any {
			if alias != "" {
				e.Kernel.AliasSet(alias)
			}
			return nil
		}}
		for k, v := range states {
			all[k] = v
		}
		sess = e.Kernel.Create(kernel.Session{States: all})
	})
	return sess
}

// recorder collects lines from handlers for the test goroutine.
type recorder struct{ c chan string }

func newRecorder() *recorder { return &recorder{c: make(chan string, 1000)} }

func (r *recorder) add(format string, args ...any) { r.c <- fmt.Sprintf(format, args...) }

// expect waits for each line in order.
func (r *recorder) expect(t *testing.T, want ...string) {
	t.Helper()
	for i, w := range want {
		select {
		case got := <-r.c:
			if got != w {
				t.Fatalf("line %d: got\n\t%s\nwant\n\t%s", i, got, w)
			}
		case <-time.After(waitFor):
			t.Fatalf("line %d: nothing within %s, want\n\t%s", i, waitFor, w)
		}
	}
}

// next waits for one line.
func (r *recorder) next(t *testing.T) string {
	t.Helper()
	select {
	case got := <-r.c:
		return got
	case <-time.After(waitFor):
		t.Fatalf("no line within %s", waitFor)
	}
	return ""
}

// quiet checks that nothing more arrives once the sides have gone through
// a full round trip (flush posts through both loops).
func (r *recorder) quiet(t *testing.T, flush ...*side) {
	t.Helper()
	for _, s := range flush {
		s.do(func(*kernel.Event) {})
	}
	select {
	case got := <-r.c:
		t.Fatalf("unexpected line %s", got)
	default:
	}
}

// fakeChannel is one end of an in-process connection.
type fakeChannel struct {
	side   *side
	peer   *fakeChannel
	codec  codec
	sess   *kernel.Session
	name   string // the local kernel name this end advertises
	closed bool
	drop   func(*message.Message) bool // records to lose on the way out
	thaw   func([]byte) (any, error)   // codec.thawer's, made on first use
	mu     sync.Mutex
	sent   []string
}

func (c *fakeChannel) Send(m *message.Message) bool {
	if c.closed {
		return false
	}
	m.FillKernel(c.name)
	if c.drop != nil && c.drop(m) {
		return true
	}
	b, err := c.codec.freeze(m)
	if err != nil {
		c.side.t.Errorf("freeze %v: %v", m.Value(), err)
		return false
	}
	c.mu.Lock()
	c.sent = append(c.sent, m.EventName())
	c.mu.Unlock()
	c.peer.side.k.Post(c.peer.sess, "deliver", b)
	return true
}

func (c *fakeChannel) Shutdown() { c.side.k.Post(c.sess, "close") }

func (c *fakeChannel) Session() *kernel.Session { return c.sess }

func (c *fakeChannel) start(e *kernel.Event) any {
	c.sess = e.Session
	e.Kernel.AliasSet(fmt.Sprintf("Channel %d", e.Session.ID()))
	c.side.r.RegisterChannel(c)
	return nil
}

func (c *fakeChannel) deliver(e *kernel.Event) any {
	if c.closed {
		return nil
	}
	if c.thaw == nil {
		c.thaw = c.codec.thawer()
	}
	v, err := c.thaw(e.Arg(0).([]byte))
	if err != nil {
		c.side.t.Errorf("thaw: %v", err)
		return nil
	}
	c.side.r.Request(c, v)
	return nil
}

// close ends this end: unregister, and the peer sees EOF.
func (c *fakeChannel) close(e *kernel.Event) any {
	if c.closed {
		return nil
	}
	c.closed = true
	c.side.r.Unregister(c)
	e.Kernel.AliasRemove(fmt.Sprintf("Channel %d", e.Session.ID()))
	c.peer.side.k.Post(c.peer.sess, "eof")
	return nil
}

func (c *fakeChannel) eof(e *kernel.Event) any {
	if c.closed {
		return nil
	}
	c.side.r.ChannelError(c, "read", 0, "")
	return c.close(e)
}

func (c *fakeChannel) create(e *kernel.Event) {
	e.Kernel.Create(kernel.Session{States: kernel.States{
		"_start":  c.start,
		"deliver": c.deliver,
		"close":   c.close,
		"eof":     c.eof,
	}})
}

// connect links a and b: each registers the other under its kernel ID
// with the other's name and extra aliases, a first.
func connect(t *testing.T, a, b *side, c codec, aAliases, bAliases []string) (*fakeChannel, *fakeChannel) {
	t.Helper()
	ca := &fakeChannel{side: a, codec: c, name: a.name}
	cb := &fakeChannel{side: b, codec: c, name: b.name}
	ca.peer, cb.peer = cb, ca
	a.do(ca.create)
	b.do(cb.create)
	a.do(func(*kernel.Event) {
		if !a.r.Register(ca, b.k.ID(), append([]string{b.name}, bAliases...), int64(2)) {
			t.Errorf("register %s on %s failed", b.name, a.name)
		}
	})
	b.do(func(*kernel.Event) {
		if !b.r.Register(cb, a.k.ID(), append([]string{a.name}, aAliases...), int64(1)) {
			t.Errorf("register %s on %s failed", a.name, b.name)
		}
	})
	return ca, cb
}

// pair is the usual setup: "Server" and "Client" connected.
func pair(t *testing.T, c codec, opts ...Option) (srv, cli *side, cs, cc *fakeChannel) {
	srv = newSide(t, "Server", opts...)
	cli = newSide(t, "Client", opts...)
	cs, cc = connect(t, srv, cli, c, []string{"SrvAlias"}, nil)
	return
}

// argsString formats handler arguments for comparison.
func argsString(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprintf("%v", a)
	}
	return strings.Join(parts, " ")
}
