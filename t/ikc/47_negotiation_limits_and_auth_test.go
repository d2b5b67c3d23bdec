// This file has no Perl twin among IKC's tests: it holds what a Go server
// does with peers that break off or misbehave between the first line and
// the first frame — the line limit, the shared-secret exchange that
// follows the dialogue (Options.Secret) and a second connection from a
// kernel that is already connected — none of which Perl IKC 0.2402 has.
package ikc_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
)

// rawConn is a hand-driven connection to a server.
type rawConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, port int) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(wait))
	return &rawConn{t: t, c: c, r: bufio.NewReader(c)}
}

// send writes lines, each with CR LF.
func (p *rawConn) send(lines ...string) {
	p.t.Helper()
	for _, l := range lines {
		if _, err := p.c.Write([]byte(l + "\r\n")); err != nil {
			p.t.Fatalf("write %q: %v", l, err)
		}
	}
}

// line reads one line, without its CR LF.
func (p *rawConn) line() string {
	p.t.Helper()
	l, err := p.r.ReadString('\n')
	if err != nil {
		p.t.Fatalf("read: %q, %v", l, err)
	}
	return strings.TrimRight(l, "\r\n")
}

// setup runs the IKC0 dialogue as kernel name, offering Storable.
func (p *rawConn) setup(name string) {
	p.t.Helper()
	p.send("SETUP KERNEL=" + name + ";FREEZER=Storable;PID=1")
	if l := p.line(); !strings.HasPrefix(l, "SETUP KERNEL=") || !strings.Contains(l, "FREEZER=Storable") {
		p.t.Fatalf("answer to SETUP: %q", l)
	}
}

// closedByServer reports whether the server closed the connection
// (anything it still sends is read and dropped).
func (p *rawConn) closedByServer() bool {
	_, err := io.Copy(io.Discard, p.r)
	return err == nil || strings.Contains(err.Error(), "reset")
}

// TestPeersThatMisbehaveBeforeTheFirstFrame: each peer is refused with
// the error the server's OnError gets, and its connection is closed; the
// server stays up for the next one.
func TestPeersThatMisbehaveBeforeTheFirstFrame(t *testing.T) {
	const secret = "correct horse battery staple"
	long := strings.Repeat("x", 200)
	nonce := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name string
		opts server.Options
		peer func(p *rawConn)
		want string // a line of OnError, "op errno text", * matching anything
	}{
		{"a negotiation line over MaxLineLength is refused",
			server.Options{MaxLineLength: 64},
			func(p *rawConn) { p.send("SETUP KERNEL=" + long + ";FREEZER=Storable;PID=1") },
			"read * *exceeds maximum line length (* > 64)"},
		{"a peer without the secret, sending a long line instead, is refused with the line clipped",
			server.Options{Secret: []byte(secret)},
			func(p *rawConn) { p.setup("NoSecret"); p.send("", long) },
			fmt.Sprintf("authenticate %d authentication failed: the peer sent %q where AUTH-GO1 was expected *",
				int(syscall.EACCES), strings.Repeat("x", 80)+"...")},
		{"a peer with a wrong proof is refused",
			server.Options{Secret: []byte(secret)},
			func(p *rawConn) {
				p.setup("Guesser")
				p.send("AUTH-GO1 " + nonce)
				if l := p.line(); !strings.HasPrefix(l, "AUTH-GO1 ") {
					t.Errorf("server's proof line %q", l)
				}
				p.send("AUTH-GO1 OK " + nonce)
			},
			fmt.Sprintf("authenticate %d authentication failed: the client's proof is wrong*", int(syscall.EACCES))},
		{"a peer that closes during authentication is reported as such",
			server.Options{Secret: []byte(secret)},
			func(p *rawConn) { p.setup("Quitter"); p.c.(*net.TCPConn).CloseWrite() },
			"read 0 connection closed during authentication"},
		{"a peer that stalls during authentication is cut off",
			server.Options{Secret: []byte(secret), NegotiationTimeout: 100 * time.Millisecond},
			func(p *rawConn) { p.setup("Staller") },
			fmt.Sprintf("negotiate %d authentication did not finish within 100ms", int(syscall.ETIMEDOUT))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			tc.opts.Name = "Srv"
			tc.opts.OnError = func(op string, errno int, text string) { rec.add("%s %d %s", op, errno, text) }
			srv, ep := startServer(t, endpoint{}, serverSpec{Opts: tc.opts})
			p := dialRaw(t, ep.Port)
			tc.peer(p)
			if !p.closedByServer() {
				t.Error("the server did not close the connection")
			}
			// The error is reported before the connection closes.
			if !anyMatch(rec.all(), tc.want) {
				t.Errorf("no error like %q in %q", tc.want, rec.all())
			}
			// The server carries on.
			q := dialRaw(t, ep.Port)
			q.send("SETUP KERNEL=Next;FREEZER=Storable;PID=1")
			if l := q.line(); !strings.HasPrefix(l, "SETUP ") {
				t.Errorf("the next peer got %q", l)
			}
			srv.k.Post(responder.Alias, "shutdown")
			srv.end(t, "server")
		})
	}
}

// TestASecondConnectionFromAConnectedKernelIsClosed: a peer that
// negotiates with the name of a kernel already connected is refused
// (error register) and closed, and the first connection is untouched.
// Perl's responder only warns "Remote kernel '...' already exists" and
// keeps the second connection unregistered, so that its close later tears
// down the first one's registration (spec 13.8): Go closes it at once.
func TestASecondConnectionFromAConnectedKernelIsClosed(t *testing.T) {
	rec := newRecorder()
	srv, ep := startServer(t, endpoint{}, serverSpec{Opts: server.Options{Name: "Srv",
		OnError: func(op string, errno int, text string) { rec.add("%s %d %s", op, errno, text) }}})
	first := dialRaw(t, ep.Port)
	first.setup("Twin")
	second := dialRaw(t, ep.Port)
	second.setup("Twin")
	if !second.closedByServer() {
		t.Error("the second connection is still open")
	}
	rec.waitFor(t, `register 0 remote kernel "Twin" is already connected`)
	srv.k.Post(responder.Alias, "shutdown")
	if !first.closedByServer() { // only now, by the shutdown
		t.Error("the first connection did not close on shutdown")
	}
	srv.end(t, "server")
}
