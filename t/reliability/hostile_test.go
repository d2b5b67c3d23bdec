package reliability

import (
	"bytes"
	"crypto/rand"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/server"
)

// negotiationTimeout is the server's in these tests: short, so that the
// slow and silent peers are cut off quickly.
const negotiationTimeout = 200 * time.Millisecond

// hostile is one hostile input: what the peer does, the monitor error it
// must cause (operation and a piece of the message), and whether the
// server must drop the connection (else the connection must still answer
// a call afterwards).
type hostile struct {
	name   string
	send   func(t *testing.T, s *liveServer, p *rawPeer)
	op     string
	text   string
	closes bool
}

// deepArrays is a Storable image of n arrays nested in each other.
func deepArrays(n int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0x05, 0x0b, 0x02, 0, 0, 0, 1})
	for i := 1; i < n; i++ {
		b.Write([]byte{0x04, 0x02, 0, 0, 0, 1})
	}
	b.WriteByte(0x05)
	return b.Bytes()
}

func garbage(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func sendAndClose(b []byte) func(*testing.T, *liveServer, *rawPeer) {
	return func(t *testing.T, s *liveServer, p *rawPeer) {
		p.write(b)
		p.c.Close()
	}
}

func negotiated(then func(t *testing.T, s *liveServer, p *rawPeer)) func(*testing.T, *liveServer, *rawPeer) {
	return func(t *testing.T, s *liveServer, p *rawPeer) {
		p.negotiate()
		then(t, s, p)
	}
}

func raw(b []byte) func(*testing.T, *liveServer, *rawPeer) {
	return func(t *testing.T, s *liveServer, p *rawPeer) { p.write(b) }
}

var hostileInputs = []hostile{
	// IKC-PROTOCOL 7: failures during negotiation.
	{"a peer that connects and closes at once", sendAndClose(nil), "channel-read", "closed during negotiation", true},
	// The server has answered IAM, so closing unread may reset the connection.
	{"a peer that says HELLO and closes", sendAndClose([]byte("HELLO\r\n")), "channel-read", "", true},
	{"a peer that closes in the middle of its SETUP line", sendAndClose([]byte("SETUP KERNEL=Half")), "channel-read", "closed during negotiation", true},
	{"a peer that closes in the middle of the legacy dialogue", func(t *testing.T, s *liveServer, p *rawPeer) {
		p.write([]byte("HELLO\r\n"))
		p.r.ReadString('\n')
		p.c.Close()
	}, "channel-read", "", true},
	{"a peer that never says anything", func(*testing.T, *liveServer, *rawPeer) {}, "channel-negotiate", "did not finish", true},
	{"a peer that sends one byte every 50 ms (slowloris)", func(t *testing.T, s *liveServer, p *rawPeer) {
		for _, c := range []byte("SETUP KERNEL=Slow;FREEZER=Storable;PID=1\r\n") {
			if p.write([]byte{c}) != nil {
				return
			}
			time.Sleep(50 * time.Millisecond) // the attack itself is slow
		}
	}, "channel-negotiate", "did not finish", true},
	{"a SETUP the server cannot use, then silence", raw([]byte("SETUP KERNEL=A;FREEZER=No::Such;PID=1\r\n")), "channel-negotiate", "did not finish", true},
	{"a negotiation line of 1 MiB", raw(bytes.Repeat([]byte("A"), 1<<20)), "channel-read", "", true},
	{"2000 lines of garbage", raw(bytes.Repeat([]byte("garbage\r\n"), 2000)), "channel-negotiate", "too many lines", true},
	{"64 KiB of random bytes instead of a negotiation", raw(garbage(64 << 10)), "channel-", "", true},

	// IKC-PROTOCOL 8.4: bad frames after negotiation.
	{"a frame that is not Storable (5\\0hello)", negotiated(raw([]byte("5\x00hello"))), "channel-read", "Storable", false},
	{"a frame of length zero (0\\0)", negotiated(raw([]byte("0\x00"))), "channel-read", "", false},
	{"a truncated Storable image", negotiated(raw(rawFrame([]byte{0x05, 0x0b, 0x0a, 0x01}))), "channel-read", "", false},
	{"a record that is an array, not a hash", negotiated(func(t *testing.T, s *liveServer, p *rawPeer) { p.frame([]any{"a", "b"}) }), "local-request", "", false},
	{"a record that is a scalar", negotiated(raw(rawFrame([]byte{0x05, 0x0b, 0x0a, 0x01, 'x'}))), "local-request", "", false},
	{"a record whose event is not a specifier", negotiated(func(t *testing.T, s *liveServer, p *rawPeer) {
		p.frame(map[string]any{"event": "::not a spec::", "params": "x"})
	}), "local-request", "", false},
	{"a post to a state that is not published", negotiated(func(t *testing.T, s *liveServer, p *rawPeer) {
		p.frame(map[string]any{"event": "poe://Srv/echo/secret", "params": "x"})
	}), "local-check", "has not published state 'secret'", false},
	{"a post to a session that published nothing (IKC internals)", negotiated(func(t *testing.T, s *liveServer, p *rawPeer) {
		p.frame(map[string]any{"event": "poe://Srv/mon/quit", "params": "x"})
	}), "local-check", "not available for remote kernels", false},
	{"a frame of arrays nested 100,000 deep", negotiated(raw(rawFrame(deepArrays(100000)))), "channel-read", "deep", false},
	{"a non-numeric length prefix (abc\\0hello)", negotiated(raw([]byte("abc\x00hello"))), "channel-read", "", true},
	{"a 2 GiB length prefix", negotiated(raw([]byte("2147483648\x00abc"))), "channel-read", "2147483648", true},
	{"a length prefix of 30 digits", negotiated(raw([]byte("999999999999999999999999999999\x00"))), "channel-read", "", true},
	{"64 KiB of random bytes after negotiating", negotiated(raw(append([]byte("x"), garbage(64<<10)...))), "channel-read", "", true},
	{"a peer that closes in the middle of a frame", negotiated(func(t *testing.T, s *liveServer, p *rawPeer) {
		p.write([]byte("100\x00\x05\x0b\x03\x00"))
		p.c.Close()
	}), "channel-read", "[0] ", true},
	{"a peer that calls but never reads its answers", negotiated(func(t *testing.T, s *liveServer, p *rawPeer) {
		// 64 calls of 256 KiB answers: far past the 1 MiB output limit
		// plus what the loopback socket buffers absorb.
		for i := 0; i < 64; i++ {
			if p.frame(map[string]any{"event": "poe://Srv/echo/big", "params": int64(256 << 10),
				"rsvp": map[string]any{"kernel": p.name, "session": "IKC", "state": "x"}}) != nil {
				return
			}
		}
	}), "channel-write", "does not read", true},
}

// TestHostileInput sends each hostile input to a live server while a
// well-behaved ClientLite calls it every 5 ms, and checks that the server
// reports the error to its monitors, drops the connection or just the
// frame as it should, keeps answering the well-behaved client, and does
// not leak descriptors.
func TestHostileInput(t *testing.T) {
	s := startServer(t, server.Options{NegotiationTimeout: negotiationTimeout, MaxOutput: 1 << 20}, nil)
	pr := startProbe(t, s.port)
	base := openFDs()
	for _, h := range hostileInputs {
		t.Run(h.name, func(t *testing.T) {
			pr.window()
			mark := s.ev.mark()
			p := dial(t, s)
			h.send(t, s, p)
			e, err := s.ev.wait(mark, 5*time.Second, isError(h.op, h.text))
			if err != nil {
				t.Errorf("want monitor error %s %q: %v; got %v", h.op, h.text, err, s.ev.list[mark:])
			}
			if h.closes {
				if !p.closed(5 * time.Second) {
					t.Error("the server kept the connection")
				}
			} else {
				if v, err := p.call(s, "still there"); err != nil || v != "still there" {
					t.Errorf("the connection no longer answers: %v %v", v, err)
				}
			}
			p.c.Close()
			if n := settleFDs(base, 5*time.Second); n > base {
				t.Errorf("descriptors: %d open, %d before", n, base)
			}
			pr.await(3, 5*time.Second)
			lat, errs := pr.window()
			med, max := summary(lat)
			t.Logf("error %s %q; well-behaved client: %d answers, median %v, max %v", e.op, e.msg, len(lat), med, max)
			if len(errs) > 0 || max > answerBound {
				t.Errorf("well-behaved client: errors %v, max answer time %v", errs, max)
			}
		})
	}
}

// TestIdleConnectionFlood opens many connections that never negotiate:
// each is cut off at the negotiation timeout and reported, and the
// well-behaved client keeps being answered throughout.
func TestIdleConnectionFlood(t *testing.T) {
	n := *flagConns
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil {
		// Both ends of each connection live in this process.
		if max := int(lim.Cur)/2 - 100; n > max {
			t.Logf("fd limit %d: %d connections instead of %d", lim.Cur, max, n)
			n = max
		}
	}
	s := startServer(t, server.Options{NegotiationTimeout: negotiationTimeout}, nil)
	pr := startProbe(t, s.port)
	base := openFDs()
	mark := s.ev.mark()
	peers := make([]*rawPeer, n)
	start := time.Now()
	for i := range peers {
		peers[i] = dial(t, s)
	}
	t.Logf("%d connections opened in %v", n, time.Since(start))
	for _, p := range peers {
		if !p.closed(10 * time.Second) {
			t.Fatal("an idle connection was not closed")
		}
		p.c.Close()
	}
	timeout := isError("channel-negotiate", "did not finish")
	if got := s.ev.waitCount(mark, n, 5*time.Second, timeout); got != n {
		t.Errorf("%d of %d timeouts reported", got, n)
	}
	if fds := settleFDs(base, 5*time.Second); fds > base {
		t.Errorf("descriptors: %d open, %d before", fds, base)
	}
	lat, errs := pr.window()
	med, max := summary(lat)
	t.Logf("all %d closed after %v; well-behaved client: %d answers, median %v, max %v", n, time.Since(start), len(lat), med, max)
	if len(errs) > 0 || max > answerBound {
		t.Errorf("well-behaved client: errors %v, max answer time %v", errs, max)
	}
}
