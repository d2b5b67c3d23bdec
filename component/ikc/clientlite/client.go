package clientlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/serial"
	_ "github.com/poe-go/poe/poe/serial/freezethaw" // registers FreezeThaw, for Perl servers that speak only it
	_ "github.com/poe-go/poe/poe/serial/msgpack"    // registers the Go-to-Go serializer
	_ "github.com/poe-go/poe/poe/serial/storable"
)

// ErrNotConnected is wrapped by the error of Responded when no connection
// is up to wait on.
var ErrNotConnected = errors.New("not connected")

// Client is a connection to an IKC server, the Go twin of a
// POE::Component::IKC::ClientLite object: it posts and calls states
// published on the server and blocks until the reply arrives.
//
// A Client is safe for use by several goroutines, but it serves one
// request at a time: each method holds the Client until its reply has
// arrived or timed out. Disconnect does not wait; it ends a request in
// progress with an error.
type Client struct {
	opts                         Options
	network, address, configured string
	ser                          serial.Serializer

	mu      sync.Mutex // serializes requests; guards the fields below
	n       int        // the next responseN
	payload []byte
	out     []byte

	lmu    sync.Mutex // guards l and closed, so Disconnect never waits for mu
	l      *link
	closed bool
}

// Connect connects to the IKC server that opts name, negotiates, and
// returns the Client (POE::Component::IKC::ClientLite->spawn). ctx bounds
// this first connection, along with opts.ConnectTimeout; the reconnections
// the methods make later are bounded by ConnectTimeout alone. It fails with
// an *Error when the options are invalid, the server is unreachable, or
// the negotiation fails or times out.
func Connect(ctx context.Context, opts Options) (*Client, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, &Error{Op: "connect", Err: err}
	}
	c := &Client{opts: o}
	c.network, c.address, c.configured = o.endpoint()
	if c.ser, err = serial.Lookup(o.Serializer); err != nil {
		return nil, c.fail("connect", "", err)
	}
	l, err := c.dial(ctx)
	if err != nil {
		return nil, c.fail("connect", "", err)
	}
	c.l = l
	return c, nil
}

// Name returns the client's name: its kernel name on the server.
func (c *Client) Name() string { return c.opts.Name }

// Post sends data to the state spec names, without waiting for anything
// (ClientLite's post). A spec not starting with "poe:" is relative to the
// server: "session/state" means "poe://<server>/session/state". A failed
// write reconnects once and sends again; a connection that the server has
// closed is noticed before writing and reconnected first.
func (c *Client) Post(spec string, data any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, target, err := c.send(context.Background(), spec, func(l *link) message.Message {
		return message.LitePost(specifier.Relative(l.remote(), spec), data, c.opts.Name)
	})
	if err != nil {
		return c.fail("post", target, err)
	}
	return nil
}

// Call calls the state spec names with data in scalar context and returns
// the handler's return value (ClientLite's call in scalar context). As in
// Perl IKC, a handler that returns undef sends no reply at all: such a
// Call fails with ErrTimeout after Options.Timeout. A remote_error from
// the server fails it with a *RemoteError.
func (c *Client) Call(spec string, data any) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.call(spec, data, false)
}

// CallList calls the state spec names with data in list context
// (ClientLite's call in list context) and returns the handler's return
// values. A handler that returns an empty list sends no reply: CallList
// then fails with ErrTimeout.
func (c *Client) CallList(spec string, data any) ([]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.call(spec, data, true)
	if err != nil {
		return nil, err
	}
	if list, ok := v.([]any); ok {
		return list, nil
	}
	return []any{v}, nil
}

func (c *Client) call(spec string, data any, list bool) (any, error) {
	n := c.next()
	l, target, err := c.send(context.Background(), spec, func(l *link) message.Message {
		return message.LiteCall(specifier.Relative(l.remote(), spec), data, c.opts.Name, n, list)
	})
	if err == nil {
		var v any
		if v, err = c.wait(l, message.LiteSession, message.LiteResponseState(n)); err == nil {
			return v, nil
		}
	}
	return nil, c.fail("call", target, err)
}

// PostRespond posts [data, rsvp] to the state spec names and waits for
// whatever is posted back to that rsvp (ClientLite's post_respond): the
// remote handler answers with $kernel->post(IKC => post => $rsvp, $result).
func (c *Client) PostRespond(spec string, data any) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.next()
	l, target, err := c.send(context.Background(), spec, func(l *link) message.Message {
		return message.LitePostRespond(specifier.Relative(l.remote(), spec), data, c.opts.Name, n)
	})
	if err == nil {
		var v any
		if v, err = c.wait(l, message.LiteSession, message.LiteResponseState(n)); err == nil {
			return v, nil
		}
	}
	return nil, c.fail("post_respond", target, err)
}

// Responded waits for a record posted to poe://<name>/IKCLite/<state>,
// without sending anything (ClientLite's responded), and returns its
// params: the arguments of a server handler that posted to its SENDER
// after a Post.
func (c *Client) Responded(state string) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	spec := "poe://" + c.opts.Name + "/" + message.LiteSession + "/" + state
	l, err := c.current()
	if err == nil && l == nil {
		err = ErrNotConnected
	}
	if err == nil {
		var v any
		if v, err = c.wait(l, message.LiteSession, state); err == nil {
			return v, nil
		}
	}
	return nil, c.fail("responded", spec, err)
}

// Ping calls the server's IKC/ping state and checks that it answers PONG
// (ClientLite's ping). It works after either negotiation: after IKC0 it
// addresses the server's first SETUP name, where Perl's ClientLite has no
// target and fails with "Bad message"; every Perl IKC server publishes
// IKC/ping and answers both.
func (c *Client) Ping() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, target, err := c.send(context.Background(), "", func(l *link) message.Message {
		return message.LitePing(l.pingKernel(), c.opts.Name)
	})
	if err == nil {
		var v any
		if v, err = c.wait(l, message.Responder, "pong"); err == nil {
			if s, _ := v.(string); s == "PONG" {
				return nil
			}
			err = fmt.Errorf("ping answered %#v, not PONG", v)
		}
	}
	return c.fail("ping", target, err)
}

// Disconnect closes the connection (ClientLite's disconnect). A request
// in progress fails; later ones fail with ErrClosed. Connect makes a new
// Client.
func (c *Client) Disconnect() error {
	c.lmu.Lock()
	l := c.l
	c.l, c.closed = nil, true
	c.lmu.Unlock()
	if l == nil {
		return nil
	}
	if err := l.conn.Close(); err != nil {
		return c.fail("disconnect", "", err)
	}
	return nil
}

func (c *Client) next() int {
	n := c.n
	c.n++
	return n
}

func (c *Client) fail(op, spec string, err error) error {
	return &Error{Op: op, Spec: spec, Addr: c.address, Err: err}
}

// current returns the connection in use, nil when it is down.
func (c *Client) current() (*link, error) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	return c.l, nil
}

// ensure returns a live connection, reconnecting when it is down or the
// server has closed it.
func (c *Client) ensure(ctx context.Context) (*link, error) {
	l, err := c.current()
	if err != nil {
		return nil, err
	}
	if l != nil && !peerClosed(l.conn) {
		return l, nil
	}
	if l != nil {
		c.drop(l)
	}
	if l, err = c.dial(ctx); err != nil {
		return nil, fmt.Errorf("reconnect: %w", err)
	}
	c.lmu.Lock()
	defer c.lmu.Unlock()
	if c.closed {
		l.conn.Close()
		return nil, ErrClosed
	}
	c.l = l
	return l, nil
}

// drop marks l down and closes it; the next request reconnects.
func (c *Client) drop(l *link) {
	c.lmu.Lock()
	if c.l == l {
		c.l = nil
	}
	c.lmu.Unlock()
	l.conn.Close()
}

// send builds a record on a live connection and writes it. When the write fails it reconnects once and
// writes the record again, rebuilt for the new connection (Perl's
// _try_send). It returns the connection written to and the record's target.
func (c *Client) send(ctx context.Context, spec string, build func(l *link) message.Message) (*link, string, error) {
	target := spec
	for attempt := 0; ; attempt++ {
		l, err := c.ensure(ctx)
		if err != nil {
			return nil, target, err
		}
		m := build(l)
		target = m.EventName()
		if err := checkTarget(target); err != nil {
			return nil, target, err
		}
		if err := c.encode(m); err != nil {
			return nil, target, err
		}
		err = c.write(l)
		if err == nil {
			return l, target, nil
		}
		c.drop(l)
		if attempt == 1 {
			return nil, target, err
		}
	}
}

// checkTarget refuses what Perl's _send_msg refuses: a target that does
// not parse, or names no session or no state.
func checkTarget(target string) error {
	s, err := specifier.Parse(target)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSpecifier, err)
	}
	if s.Session == "" || s.State == "" {
		return fmt.Errorf("%w: %q needs a session and a state", ErrSpecifier, target)
	}
	return nil
}

// wait waits up to Options.Timeout for the reply to session/state on l.
// A timeout or a broken connection marks the connection down, so the
// next request reconnects; a remote error leaves it up.
func (c *Client) wait(l *link, session, state string) (any, error) {
	v, err := c.await(l, session, state, time.Now().Add(c.opts.Timeout))
	if err == nil {
		return v, nil
	}
	var re *RemoteError
	if errors.As(err, &re) {
		return nil, err
	}
	c.drop(l)
	if isTimeout(err) {
		return nil, fmt.Errorf("%w poe://%s/%s/%s: %w", ErrTimeout, c.opts.Name, session, state, err)
	}
	return nil, err
}
