package clientlite

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/serial/msgpack"
	"github.com/poe-go/poe/poe/serial/storable"
)

// echoServer answers every call and post_respond with its params and
// every ping with PONG, on every connection, after negotiating proto.
func echoServer(t *testing.T, network string, proto channel.Protocol) *fakeServer {
	srv := newFakeServer(t, network)
	srv.serve(func(p *peer) {
		if !p.negotiate(proto, "kid-1") {
			return
		}
		for {
			req, ok := p.read()
			if !ok {
				return
			}
			echo(p, req)
		}
	})
	return srv
}

func echo(p *peer, req message.Message) {
	switch {
	case req.RSVP != nil && req.RSVP.State == "pong":
		p.reply(req, "PONG")
	case req.RSVP != nil:
		p.reply(req, req.Params)
	case req.Kind() == message.KindPost:
		if pr, ok := req.Params.([]any); ok && len(pr) == 2 {
			if rsvp, err := message.AddressFromValue(pr[1]); err == nil {
				p.send(message.Response(rsvp, pr[0], nil))
			}
		}
	}
}

func connect(t *testing.T, o Options) *Client {
	t.Helper()
	c, err := Connect(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect() })
	return c
}

func TestRequestsOverEveryTransportAndProtocol(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		for _, proto := range []channel.Protocol{channel.IKC0, channel.IKC} {
			t.Run(network+" "+string(proto)+" calls, posts and pings", func(t *testing.T) {
				srv := echoServer(t, network, proto)
				o := srv.options()
				o.Protocol = proto
				c := connect(t, o)
				if v, err := c.Call("echo/echo", "hi"); err != nil || v != "hi" {
					t.Fatalf("Call = %#v, %v", v, err)
				}
				if v, err := c.PostRespond("echo/echo", int64(7)); err != nil || v != int64(7) {
					t.Fatalf("PostRespond = %#v, %v", v, err)
				}
				if err := c.Ping(); err != nil {
					t.Fatalf("Ping: %v", err)
				}
				if l, err := c.CallList("echo/echo", "one"); err != nil || len(l) != 1 || l[0] != "one" {
					t.Fatalf("CallList = %#v, %v", l, err)
				}
			})
		}
	}
}

func TestRelativeSpecifiersNameTheServer(t *testing.T) {
	for _, tc := range []struct {
		network string
		proto   channel.Protocol
		want    func(*fakeServer) string
	}{
		{"tcp", channel.IKC0, func(*fakeServer) string { return "poe://kid-1/s/st" }},
		{"tcp", channel.IKC, func(s *fakeServer) string { return "poe://" + s.ln.Addr().String() + "/s/st" }},
		{"unix", channel.IKC, func(*fakeServer) string { return "poe://kid-1/s/st" }},
	} {
		t.Run(tc.network+" "+string(tc.proto), func(t *testing.T) {
			srv := newFakeServer(t, tc.network)
			got := make(chan string, 1)
			srv.serveFirstRecord(tc.proto, func(_ *peer, m message.Message) { got <- m.Event })
			o := srv.options()
			o.Protocol = tc.proto
			c := connect(t, o)
			if err := c.Post("s/st", nil); err != nil {
				t.Fatal(err)
			}
			if g, w := <-got, tc.want(srv); g != w {
				t.Errorf("event %q, want %q", g, w)
			}
		})
	}
}

func TestTimeoutMarksTheConnectionDown(t *testing.T) {
	srv := newFakeServer(t, "tcp")
	var conns sync.WaitGroup
	conns.Add(2)
	srv.serve(func(p *peer) {
		defer conns.Done()
		if !p.negotiate(channel.IKC0, "kid-1") {
			return
		}
		for {
			m, ok := p.read()
			if !ok {
				return
			}
			if m.Params == "answer" {
				p.reply(m, "late")
			}
		}
	})
	o := srv.options()
	o.Timeout = 50 * time.Millisecond
	c := connect(t, o)
	_, err := c.Call("echo/silent", "x")
	var e *Error
	if !errors.Is(err, ErrTimeout) || !errors.As(err, &e) || !e.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	for _, part := range []string{"poe://kid-1/echo/silent", "poe://Lite/IKCLite/response0"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %s", err, part)
		}
	}
	c.opts.Timeout = 5 * time.Second
	if v, err := c.Call("echo/x", "answer"); err != nil || v != "late" {
		t.Fatalf("after reconnect: %#v, %v", v, err)
	}
	c.Disconnect()
	conns.Wait()
}

func TestServerCloseIsNoticedBeforeThePost(t *testing.T) {
	srv := newFakeServer(t, "tcp")
	got := make(chan any, 1)
	first := true
	srv.serve(func(p *peer) {
		if !p.negotiate(channel.IKC0, "kid-1") {
			return
		}
		if first {
			first = false
			return // closes the connection
		}
		if m, ok := p.read(); ok {
			got <- m.Params
		}
	})
	c := connect(t, srv.options())
	// The close may not have reached us yet: Perl would lose this post.
	deadline := time.Now().Add(5 * time.Second)
	for l, _ := c.current(); !peerClosed(l.conn) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if err := c.Post("echo/posted", "after close"); err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != "after close" {
		t.Errorf("got %#v", v)
	}
}

func TestBrokenConnectionDuringACall(t *testing.T) {
	srv := newFakeServer(t, "tcp")
	n := 0
	srv.serveFirstRecord(channel.IKC0, func(p *peer, m message.Message) {
		if n++; n == 1 {
			return // close without answering
		}
		p.reply(m, "second")
	})
	c := connect(t, srv.options())
	if _, err := c.Call("echo/echo", "x"); !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v, want EOF", err)
	}
	if v, err := c.Call("echo/echo", "x"); err != nil || v != "second" {
		t.Fatalf("after reconnect: %#v, %v", v, err)
	}
}

func TestServerErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(p *peer, req message.Message)
		is   error
		max  int
	}{
		{"a remote_error surfaces its message", func(p *peer, req message.Message) {
			k := "kid-1"
			p.send(message.RemoteError(message.ErrorsTo("Lite"), "Session 'x' is not available", &k, message.PhaseCheck))
		}, nil, 0},
		{"a frame without a length prefix", func(p *peer, _ message.Message) { p.raw([]byte("abc\x00hello")) }, ErrFrame, 0},
		{"a frame of length zero", func(p *peer, _ message.Message) { p.raw([]byte("0\x00")) }, ErrFrame, 0},
		{"a frame over the limit", func(p *peer, _ message.Message) { p.raw([]byte("2000\x00")) }, ErrFrame, 1000},
		{"a record that is not a hash is dropped and the wait goes on until the server closes", func(p *peer, _ message.Message) {
			b, _ := storable.Freeze([]any{1})
			p.raw(append([]byte(strconv.Itoa(len(b))+"\x00"), b...))
		}, io.EOF, 0},
		{"a payload that is not Storable", func(p *peer, _ message.Message) { p.raw([]byte("5\x00hello")) }, ErrFrame, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, "tcp")
			srv.serveFirstRecord(channel.IKC0, tc.send)
			o := srv.options()
			o.MaxFrame = tc.max
			o.Timeout = time.Second
			c := connect(t, o)
			_, err := c.Call("x/y", 1)
			if tc.is == nil {
				var re *RemoteError
				if !errors.As(err, &re) || re.Message != "Session 'x' is not available" || re.Kernel != "kid-1" || re.Phase != "check" {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want %v", err, tc.is)
			}
		})
	}
}

func TestRecordsForOthersAreDroppedWithAWarning(t *testing.T) {
	srv := newFakeServer(t, "tcp")
	srv.serveFirstRecord(channel.IKC0, func(p *peer, m message.Message) {
		p.send(message.Response(message.Address{Kernel: "Lite", Session: "other", State: "x"}, 1, nil))
		p.send(message.Response(message.Address{Kernel: "Lite", Session: "IKCLite", State: "response9"}, 2, nil))
		p.reply(m, 3)
	})
	var warnings []string
	o := srv.options()
	o.Warn = func(s string) { warnings = append(warnings, s) }
	c := connect(t, o)
	if v, err := c.Call("x/y", 0); err != nil || v != int64(3) {
		t.Fatalf("Call = %#v, %v", v, err)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "Unknown session other") {
		t.Errorf("warnings %q", warnings)
	}
}

func TestBadRequestsAreRefusedBeforeSending(t *testing.T) {
	srv := echoServer(t, "tcp", channel.IKC0)
	c := connect(t, srv.options())
	for _, spec := range []string{"nostate", "poe://k/s", "bad spec/x!"} {
		if err := c.Post(spec, 1); !errors.Is(err, ErrSpecifier) {
			t.Errorf("Post(%q) = %v, want ErrSpecifier", spec, err)
		}
	}
	if err := c.Post("s/st", func() {}); err == nil {
		t.Error("posting a func succeeded")
	}
	if v, err := c.Call("s/st", "still connected"); err != nil || v != "still connected" {
		t.Errorf("Call = %#v, %v", v, err)
	}
}

func TestDisconnect(t *testing.T) {
	srv := newFakeServer(t, "tcp")
	srv.serve(func(p *peer) {
		if p.negotiate(channel.IKC0, "kid-1") {
			p.read()
			p.rd.frame() // wait for the client to go
		}
	})
	c := connect(t, srv.options())
	errc := make(chan error)
	go func() { _, err := c.Call("x/y", 1); errc <- err }()
	// Disconnect may come before the call or while it waits: both fail it.
	if err := c.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Fatal("Call in progress succeeded after Disconnect")
	}
	if err := c.Post("x/y", 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Post after Disconnect = %v, want ErrClosed", err)
	}
}

func TestConnectFailures(t *testing.T) {
	t.Run("a server that never answers is bounded by the context", func(t *testing.T) {
		srv := newFakeServer(t, "tcp")
		srv.serve(func(p *peer) { p.rd.line(maxLineLength); p.rd.line(maxLineLength) })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := Connect(ctx, srv.options())
		var e *Error
		if !errors.As(err, &e) || !e.Timeout() {
			t.Fatalf("err = %v, want a timeout", err)
		}
	})
	t.Run("a serializer the server refuses", func(t *testing.T) {
		srv := newFakeServer(t, "tcp")
		srv.serve(func(p *peer) { p.negotiate(channel.IKC0, "kid-1") })
		o := srv.options()
		o.Serializer = msgpack.Name
		_, err := Connect(context.Background(), o)
		if !errors.Is(err, channel.ErrUnexpected) && !errors.Is(err, channel.ErrRefused) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("an unknown serializer", func(t *testing.T) {
		_, err := Connect(context.Background(), Options{Addr: "127.0.0.1:1", Serializer: "No::Such"})
		if err == nil {
			t.Fatal("connected")
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		srv := newFakeServer(t, "tcp")
		o := srv.options()
		srv.ln.Close()
		if _, err := Connect(context.Background(), o); err == nil {
			t.Fatal("connected")
		}
	})
}

func TestDefaults(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	network, addr, configured := o.endpoint()
	if network != "tcp" || addr != "localhost:603" || configured != "localhost:603" ||
		!strings.HasPrefix(o.Name, "Client") || o.Timeout != DefaultTimeout || o.ConnectTimeout != DefaultTimeout ||
		o.Serializer != "Storable" || o.Protocol != channel.IKC0 || o.MaxFrame != DefaultMaxFrame {
		t.Errorf("defaults %+v, endpoint %s %s %s", o, network, addr, configured)
	}
}
