package channel

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TLS is a Go addition: Perl IKC 0.2402 has none. These tests drive
// StartTLS directly with a crypto/tls peer on the other end of a loopback
// TCP connection.

const tlsWait = 5 * time.Second

// testCert is a self-signed certificate for 127.0.0.1, and the PEM file
// of it to trust it with.
type testCert struct {
	cert tls.Certificate
	file string
}

func newTestCert(t *testing.T, cn string) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), cn+".pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return testCert{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, file: file}
}

func (c testCert) pool(t *testing.T) *x509.CertPool {
	t.Helper()
	p, err := CertPool(c.file)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tcpPair connects two loopback sockets and returns the descriptor of
// one (owned by the caller) and the other as a net.Conn, closed at the
// end of the test.
func tcpPair(t *testing.T) (int, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := c.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	return fd, peer
}

// start runs StartTLS and returns the handshake and a channel that gets
// it when ready is called.
func start(fd int, cfg *tls.Config, role Role, timeout time.Duration) (*TLSHandshake, chan *TLSHandshake) {
	ready := make(chan *TLSHandshake, 1)
	h := StartTLS(fd, cfg, role, timeout, func(h *TLSHandshake) { ready <- h })
	return h, ready
}

func await(t *testing.T, ready chan *TLSHandshake) *TLSHandshake {
	t.Helper()
	select {
	case h := <-ready:
		return h
	case <-time.After(tlsWait):
		t.Fatal("the handshake's outcome was not reported")
	}
	return nil
}

// fdFile wraps the channel's socket for the test to read and write.
func fdFile(fd int) *os.File { return os.NewFile(uintptr(fd), "channel end") }

// TestStartTLSHandsOverThePlaintext: after the handshake the channel's
// socket carries the plaintext both ways; it can be taken once; when the
// peer closes, the channel's socket reads EOF and no error is recorded.
func TestStartTLSHandsOverThePlaintext(t *testing.T) {
	srv := newTestCert(t, "server")
	fd, peer := tcpPair(t)
	_, ready := start(fd, &tls.Config{Certificates: []tls.Certificate{srv.cert}}, ServerRole, tlsWait)
	tc := tls.Client(peer, &tls.Config{RootCAs: srv.pool(t), ServerName: "127.0.0.1"})
	tc.SetDeadline(time.Now().Add(tlsWait))
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	h := await(t, ready)
	cfd, err := h.Take()
	if err != nil {
		t.Fatal(err)
	}
	f := fdFile(cfd)
	defer f.Close()
	if _, err := h.Take(); err == nil || !strings.Contains(err.Error(), "no longer available") {
		t.Errorf("a second Take: %v", err)
	}
	h.Abandon() // taken: the socket is the caller's, Abandon leaves it

	if _, err := tc.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	syscall.SetNonblock(cfd, false)
	buf := make([]byte, 5)
	if _, err := io.ReadFull(f, buf); err != nil || string(buf) != "ping\n" {
		t.Fatalf("channel read %q, %v", buf, err)
	}
	if _, err := f.Write([]byte("pong\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(tc, buf); err != nil || string(buf) != "pong\n" {
		t.Fatalf("peer read %q, %v", buf, err)
	}
	tc.Close()
	if n, err := f.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("after the peer closed: %d, %v", n, err)
	}
	if err := h.Err(); err != nil {
		t.Errorf("Err after a clean close: %v", err)
	}
	if h.WrapOnError(nil) != nil {
		t.Error("WrapOnError(nil) is not nil")
	}
}

// TestStartTLSFailures: every way a handshake can fail is reported once,
// through ready, as Take's error, with no socket to take.
func TestStartTLSFailures(t *testing.T) {
	srv := newTestCert(t, "server")
	stranger := newTestCert(t, "stranger")
	for _, tc := range []struct {
		name    string
		role    Role
		cfg     *tls.Config
		timeout time.Duration
		peer    func(c net.Conn)
		want    string
	}{
		{"a peer that stalls is cut off at the timeout", ServerRole, &tls.Config{Certificates: []tls.Certificate{srv.cert}}, 50 * time.Millisecond,
			func(net.Conn) {}, "TLS handshake did not finish within 50ms"},
		{"a peer that closes mid-handshake fails it", ServerRole, &tls.Config{Certificates: []tls.Certificate{srv.cert}}, tlsWait,
			func(c net.Conn) {
				// Half a ClientHello, then the peer's side closes.
				c.Write([]byte{0x16, 0x03, 0x01, 0x00, 0x40, 0x01})
				c.(*net.TCPConn).CloseWrite()
			}, "TLS handshake: unexpected EOF"},
		{"a peer that speaks plaintext fails it", ServerRole, &tls.Config{Certificates: []tls.Certificate{srv.cert}}, tlsWait,
			func(c net.Conn) { c.Write([]byte("SETUP KERNEL=x;FREEZER=Storable;PID=1\r\n")) }, "TLS handshake: "},
		{"a server certificate the pool does not trust fails it", ClientRole, &tls.Config{RootCAs: srv.pool(t), ServerName: "127.0.0.1"}, tlsWait,
			func(c net.Conn) {
				s := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{stranger.cert}})
				s.SetDeadline(time.Now().Add(tlsWait))
				s.Handshake()
			}, "certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd, peer := tcpPair(t)
			_, ready := start(fd, tc.cfg, tc.role, tc.timeout)
			go tc.peer(peer)
			h := await(t, ready)
			cfd, err := h.Take()
			if cfd != -1 || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Take: %d, %v; want an error with %q", cfd, err, tc.want)
			}
			// The connection is closed: the peer reads EOF or a reset.
			peer.SetReadDeadline(time.Now().Add(tlsWait))
			if _, err := io.Copy(io.Discard, peer); err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("the peer's connection: %v", err)
			}
		})
	}
	t.Run("a descriptor that is not a socket fails at once", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		fd, err := syscall.Dup(int(r.Fd()))
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		_, ready := start(fd, &tls.Config{}, ServerRole, tlsWait)
		if _, err := await(t, ready).Take(); err == nil || !strings.HasPrefix(err.Error(), "TLS: ") {
			t.Fatalf("Take: %v", err)
		}
	})
	t.Run("an invalid descriptor fails at once", func(t *testing.T) {
		_, ready := start(-1, &tls.Config{}, ServerRole, tlsWait)
		if _, err := await(t, ready).Take(); err == nil || err.Error() != "TLS: bad descriptor" {
			t.Fatalf("Take: %v", err)
		}
	})
}

// TestStartTLSRefusedAfterTheHandshake: a TLS 1.3 server that wants a
// client certificate refuses the client only after the client's side of
// the handshake is over, so the channel gets its socket and then sees it
// close; Err, and the OnError WrapOnError makes, say why.
func TestStartTLSRefusedAfterTheHandshake(t *testing.T) {
	srv := newTestCert(t, "server")
	fd, peer := tcpPair(t)
	_, ready := start(fd, &tls.Config{RootCAs: srv.pool(t), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13}, ClientRole, tlsWait)
	go func() {
		s := tls.Server(peer, &tls.Config{Certificates: []tls.Certificate{srv.cert}, ClientAuth: tls.RequireAnyClientCert})
		s.SetDeadline(time.Now().Add(tlsWait))
		if s.Handshake() == nil {
			s.Write([]byte("unexpected"))
		}
		s.Close()
	}()
	h := await(t, ready)
	cfd, err := h.Take()
	if err != nil {
		t.Fatal(err)
	}
	f := fdFile(cfd)
	defer f.Close()
	syscall.SetNonblock(cfd, false)
	f.SetReadDeadline(time.Now().Add(tlsWait))
	if n, err := io.Copy(io.Discard, f); n != 0 || err != nil {
		t.Fatalf("the channel read %d octets, %v; want EOF", n, err)
	}
	if err := h.Err(); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Err = %v, want the peer's certificate alert", err)
	}
	var got string
	h.WrapOnError(func(op string, errno int, text string) { got = text })("read", 0, "connection closed")
	if !strings.HasPrefix(got, "connection closed: TLS: ") {
		t.Errorf("wrapped text %q", got)
	}
}

// TestAbandon: abandoning a handshake in progress closes the connection
// at once and never reports it; abandoning a finished one that was not
// taken closes the channel's socket, which ends the pump and the peer's
// connection.
func TestAbandon(t *testing.T) {
	srv := newTestCert(t, "server")
	cfg := &tls.Config{Certificates: []tls.Certificate{srv.cert}}
	t.Run("during the handshake", func(t *testing.T) {
		fd, peer := tcpPair(t)
		h, ready := start(fd, &tls.Config{RootCAs: srv.pool(t), ServerName: "127.0.0.1"}, ClientRole, time.Minute)
		// The client's hello arrives: the handshake is under way, and
		// the peer never answers it.
		peer.SetReadDeadline(time.Now().Add(tlsWait))
		if _, err := peer.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		h.Abandon()
		if _, err := io.Copy(io.Discard, peer); err != nil {
			t.Fatalf("the peer's connection: %v", err)
		}
		select {
		case <-ready:
			t.Error("an abandoned handshake was reported")
		case <-time.After(50 * time.Millisecond):
		}
		if _, err := h.Take(); err == nil {
			t.Error("Take after Abandon gave a socket")
		}
	})
	t.Run("after the handshake, before Take", func(t *testing.T) {
		fd, peer := tcpPair(t)
		_, ready := start(fd, cfg, ServerRole, tlsWait)
		tc := tls.Client(peer, &tls.Config{RootCAs: srv.pool(t), ServerName: "127.0.0.1"})
		tc.SetDeadline(time.Now().Add(tlsWait))
		if err := tc.Handshake(); err != nil {
			t.Fatal(err)
		}
		h := await(t, ready)
		h.Abandon()
		if _, err := h.Take(); err == nil {
			t.Error("Take after Abandon gave a socket")
		}
		if n, err := io.Copy(io.Discard, tc); n != 0 || err != nil {
			t.Fatalf("the peer read %d octets, %v; want the connection closed", n, err)
		}
	})
}

// TestCertPool: a file that cannot be read, or holds no certificate, is
// an error.
func TestCertPool(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, []byte("not a certificate\n"), 0o600)
	for _, tc := range []struct{ name, file, want string }{
		{"a missing file is an error", filepath.Join(dir, "missing.pem"), "no such file"},
		{"a file with no certificate is an error", empty, "no certificate in " + empty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CertPool(tc.file); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
