package clientlite

import (
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/serial/storable"
)

// fakeServer is a scripted IKC server on loopback or a unix socket: each
// test accepts connections and plays the server's part by hand.
type fakeServer struct {
	t  testing.TB
	ln net.Listener
}

func newFakeServer(t testing.TB, network string) *fakeServer {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "ikc.sock")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &fakeServer{t: t, ln: ln}
}

// options returns client options that reach the server.
func (s *fakeServer) options() Options {
	o := Options{Name: "Lite", Timeout: 5 * time.Second}
	if s.ln.Addr().Network() == "unix" {
		o.Unix = s.ln.Addr().String()
	} else {
		o.Addr = s.ln.Addr().String()
	}
	return o
}

func (s *fakeServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// accept waits for the next connection; the peer is closed when the test
// ends.
func (s *fakeServer) accept() *peer {
	s.t.Helper()
	conn, err := s.ln.Accept()
	if err != nil {
		s.t.Errorf("accept: %v", err)
		return nil
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	s.t.Cleanup(func() { conn.Close() })
	return &peer{t: s.t, conn: conn, rd: newReader(conn, DefaultMaxFrame)}
}

// serve runs fn on every accepted connection until the listener closes,
// in a goroutine the test waits for at its end.
func (s *fakeServer) serve(fn func(p *peer)) {
	done := make(chan struct{})
	s.t.Cleanup(func() { s.ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			conn, err := s.ln.Accept()
			if err != nil {
				return
			}
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			p := &peer{t: s.t, conn: conn, rd: newReader(conn, DefaultMaxFrame)}
			fn(p)
			conn.Close()
		}
	}()
}

// serveFirstRecord serves connections that negotiate proto as kernel
// kid-1 and hands the client's first record to fn.
func (s *fakeServer) serveFirstRecord(proto channel.Protocol, fn func(p *peer, req message.Message)) {
	s.serve(func(p *peer) {
		if !p.negotiate(proto, "kid-1") {
			return
		}
		if req, ok := p.read(); ok {
			fn(p, req)
		}
	})
}

// peer is the server end of one connection.
type peer struct {
	t    testing.TB
	conn net.Conn
	rd   *reader
	id   string
}

// negotiate plays a Go IKC server's negotiation with kernel ID id and
// reports whether it completed.
func (p *peer) negotiate(proto channel.Protocol, id string) bool {
	p.t.Helper()
	p.id = id
	n, err := channel.NewNegotiation(channel.Options{
		Role: channel.ServerRole, Protocol: proto, KernelID: id, Name: "Fake",
		Serializers: []string{storable.Name}, PID: 1,
	})
	if err != nil {
		p.t.Error(err)
		return false
	}
	for !n.Done() {
		line, err := p.rd.line(maxLineLength)
		if err != nil {
			return false // the client gave up
		}
		out, err := n.Feed(line)
		if err2 := writeLines(p.conn, out); err2 != nil || err != nil {
			p.t.Errorf("server negotiation: %v %v", err, err2)
			return false
		}
	}
	return true
}

// read returns the next record the client sent; false when the client
// went away.
func (p *peer) read() (message.Message, bool) {
	p.t.Helper()
	b, err := p.rd.frame()
	if errors.Is(err, ErrFrame) {
		p.t.Errorf("server read: %v", err)
	}
	if err != nil {
		return message.Message{}, false
	}
	v, err := storable.Thaw(b)
	if err != nil {
		p.t.Errorf("server thaw: %v", err)
		return message.Message{}, false
	}
	m, err := message.FromValue(v)
	if err != nil {
		p.t.Errorf("server record: %v", err)
	}
	return m, err == nil
}

// send writes one record as a frame.
func (p *peer) send(m message.Message) {
	p.t.Helper()
	b, err := storable.Freeze(m.Value())
	if err != nil {
		p.t.Error(err)
		return
	}
	p.raw(append(append(strconv.AppendInt(nil, int64(len(b)), 10), 0), b...))
}

func (p *peer) raw(b []byte) {
	if _, err := p.conn.Write(b); err != nil {
		p.t.Errorf("server write: %v", err)
	}
}

// reply answers a request read from the client: a call's rsvp gets
// params, as a Perl server answers ClientLite.
func (p *peer) reply(req message.Message, params any) {
	p.t.Helper()
	if req.RSVP == nil {
		p.t.Errorf("reply to a record without rsvp: %+v", req)
		return
	}
	from := &message.Address{Kernel: p.id, Session: "echo", State: message.ProxyState}
	p.send(message.Response(*req.RSVP, params, from))
}
