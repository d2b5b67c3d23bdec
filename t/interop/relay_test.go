package interop_test

import (
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// relay sits between an IKC client and an IKC server: it accepts one
// connection at a time on its own address (TCP on 127.0.0.1 or a unix
// socket), connects to the server, copies bytes both ways and keeps the
// first bytes of each direction, so that a test can read the
// negotiation. Cut closes every connection it carries, which both peers
// see as the other one going away.
type relay struct {
	t       *testing.T
	ln      net.Listener
	network string
	target  string

	mu     sync.Mutex
	conns  []net.Conn
	c2s    []byte // what clients sent, up to keep bytes
	s2c    []byte // what the server sent
	closed bool
	wg     sync.WaitGroup
}

// keep is how much of each direction a relay records.
const keep = 4096

// newRelay listens like the server at network/target does: TCP on an
// ephemeral port of 127.0.0.1, or a unix socket in a temporary folder.
func newRelay(t *testing.T, network, target string) *relay {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "relay.sock")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{t: t, ln: ln, network: network, target: target}
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(r.close)
	return r
}

// port is the relay's TCP port (0 for a unix socket).
func (r *relay) port() int {
	if a, ok := r.ln.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// unix is the relay's unix socket path ("" over TCP).
func (r *relay) unix() string {
	if r.network == "unix" {
		return r.ln.Addr().String()
	}
	return ""
}

func (r *relay) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.DialTimeout(r.network, r.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		r.conns = append(r.conns, c, s)
		r.mu.Unlock()
		r.wg.Add(2)
		go r.copy(s, c, &r.c2s)
		go r.copy(c, s, &r.s2c)
	}
}

// copy moves bytes from src to dst, recording the first of them, and
// closes both ends when either side ends.
func (r *relay) copy(dst, src net.Conn, rec *[]byte) {
	defer r.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			r.mu.Lock()
			if room := keep - len(*rec); room > 0 {
				*rec = append(*rec, buf[:min(n, room)]...)
			}
			r.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	src.Close()
	dst.Close()
}

// lines returns the negotiation lines the client (c2s) or server sent:
// the CR LF terminated lines before the first frame.
func (r *relay) lines(c2s bool) []string {
	r.mu.Lock()
	b := r.s2c
	if c2s {
		b = r.c2s
	}
	s := string(b)
	r.mu.Unlock()
	var out []string
	for {
		line, rest, ok := strings.Cut(s, "\r\n")
		if !ok || strings.ContainsRune(line, 0) {
			return out
		}
		out = append(out, line)
		s = rest
	}
}

// cut closes the connections carried so far; the listener stays.
func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}

func (r *relay) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.ln.Close()
	r.cut()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		r.t.Errorf("relay goroutines did not end")
	}
}
