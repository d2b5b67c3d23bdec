package reliability

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/server"
)

// testPKI is a throwaway certificate authority with a server certificate
// for 127.0.0.1 and a client certificate, written as PEM files into a
// temporary directory.
type testPKI struct {
	caFile, serverCert, serverKey, clientCert, clientKey string
}

func newTestPKI(t testing.TB) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "IKC test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, ips []net.IP) (string, string) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return write(cn+".crt", "CERTIFICATE", der), write(cn+".key", "PRIVATE KEY", kder)
	}
	var p testPKI
	p.caFile = write("ca.crt", "CERTIFICATE", caDER)
	p.serverCert, p.serverKey = leaf(2, "server", x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")})
	p.clientCert, p.clientKey = leaf(3, "client", x509.ExtKeyUsageClientAuth, nil)
	return p
}

func (p testPKI) serverTLS(t testing.TB, requireClient bool) *tls.Config {
	t.Helper()
	ca := ""
	if requireClient {
		ca = p.caFile
	}
	cfg, err := server.TLSFromFiles(p.serverCert, p.serverKey, ca)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (p testPKI) clientTLS(t testing.TB, withCert bool) *tls.Config {
	t.Helper()
	cert, key := "", ""
	if withCert {
		cert, key = p.clientCert, p.clientKey
	}
	cfg, err := client.TLSFromFiles(p.caFile, cert, key, "")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestTLS: Go server and client over TLS with client certificates post and
// call; a client without a certificate, and a plaintext client, are refused
// and reported, and the server goes on serving TLS clients; descriptors
// come back.
func TestTLS(t *testing.T) {
	pki := newTestPKI(t)
	base := openFDs()
	goroutines := runtime.NumGoroutine()
	stats := &echoStats{seen: map[int64]int{}}
	s := startServer(t, server.Options{NegotiationTimeout: time.Second, TLS: pki.serverTLS(t, true)}, stats)

	good := func(t *testing.T, name string) {
		t.Helper()
		c := startClient(t, client.Options{Port: s.port, Name: name, TLS: pki.clientTLS(t, true)})
		if !c.connected(t, 5*time.Second) {
			t.Fatalf("not connected: %v; server %v", c.ev.list, s.ev.list)
		}
		if v := c.call(t, "poe://Srv/echo/echo", "over TLS", 0); v != "over TLS" {
			t.Fatalf("answer %v", v)
		}
		big := c.call(t, "poe://Srv/echo/big", 1<<20, 0)
		if b, ok := big.(string); !ok || len(b) != 1<<20 {
			t.Fatalf("1 MiB answer: %T of %d", big, len(b))
		}
		c.k.Post("caller", "post", "poe://Srv/echo/count", int64(42))
		deadline := time.Now().Add(5 * time.Second)
		for {
			stats.mu.Lock()
			n := stats.seen[42]
			stats.mu.Unlock()
			if n > 0 {
				stats.mu.Lock()
				delete(stats.seen, 42)
				stats.mu.Unlock()
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the post did not arrive")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	t.Run("client certificate: post and call", func(t *testing.T) { good(t, "Good") })

	t.Run("client without a certificate is refused", func(t *testing.T) {
		mark := s.ev.mark()
		c := startClient(t, client.Options{Port: s.port, Name: "NoCert", TLS: pki.clientTLS(t, false), NegotiationTimeout: time.Second})
		e, err := s.ev.wait(mark, 5*time.Second, isError("channel-tls", "certificate"))
		if err != nil {
			t.Fatalf("server reported no TLS error: %v", s.ev.list[mark:])
		}
		t.Logf("server: %v", e)
		ce, err := c.ev.wait(0, 5*time.Second, isError("", "certificate"))
		if err != nil {
			t.Fatalf("client reported nothing: %v", c.ev.list)
		}
		t.Logf("client: %v", ce)
		if s.ev.count(mark, func(e ev) bool { return e.kind == "register" }) != 0 {
			t.Error("the server registered a peer without a certificate")
		}
	})

	t.Run("plaintext client is refused", func(t *testing.T) {
		mark := s.ev.mark()
		c := startClient(t, client.Options{Port: s.port, Name: "Plain", NegotiationTimeout: time.Second})
		e, err := s.ev.wait(mark, 5*time.Second, isError("channel-tls", ""))
		if err != nil {
			t.Fatalf("server reported no TLS error: %v", s.ev.list[mark:])
		}
		t.Logf("server: %v", e)
		if _, err := c.ev.wait(0, 5*time.Second, isError("", "")); err != nil {
			t.Fatalf("client reported nothing: %v", c.ev.list)
		}
		if s.ev.count(mark, func(e ev) bool { return e.kind == "register" }) != 0 {
			t.Error("the server registered a plaintext peer")
		}
	})

	t.Run("ClientLite is refused", func(t *testing.T) { expectLiteRefused(t, s, "channel-tls") })

	t.Run("TLS client still served", func(t *testing.T) { good(t, "Again") })

	t.Run("TLS client refuses a plaintext server", func(t *testing.T) {
		open := startServer(t, server.Options{Name: "Open", NegotiationTimeout: time.Second}, nil)
		c := startClient(t, client.Options{Port: open.port, Name: "Careful", TLS: pki.clientTLS(t, true), NegotiationTimeout: time.Second})
		if _, err := c.ev.wait(0, 5*time.Second, isError("tls", "")); err != nil {
			t.Fatalf("client reported no TLS error: %v", c.ev.list)
		}
		if c.ev.count(0, func(e ev) bool { return e.kind == "register" }) != 0 {
			t.Error("the client registered a plaintext server")
		}
	})

	t.Run("over a unix socket", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ikc.sock")
		u := startServer(t, server.Options{Name: "Srv", Unix: path, NegotiationTimeout: time.Second, TLS: pki.serverTLS(t, true)}, nil)
		cfg, err := client.TLSFromFiles(pki.caFile, pki.clientCert, pki.clientKey, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		c := startClient(t, client.Options{Unix: path, Name: "Local", TLS: cfg})
		if !c.connected(t, 5*time.Second) {
			t.Fatalf("not connected: %v; server %v", c.ev.list, u.ev.list)
		}
		if v := c.call(t, "poe://Srv/echo/echo", "unix TLS", 0); v != "unix TLS" {
			t.Fatalf("answer %v", v)
		}
	})

	s.stop(t)
	if n := settleFDs(base, 5*time.Second); n > base {
		t.Errorf("descriptors: %d open, %d before", n, base)
	}
	if n := settleGoroutines(goroutines, 5*time.Second); n > goroutines {
		t.Errorf("goroutines: %d, %d before (a TLS pump left behind?)", n, goroutines)
	}
}

// TestTLSReconnect: a reconnecting TLS client gets its connection back,
// over TLS, after the server restarts on the same port.
func TestTLSReconnect(t *testing.T) {
	pki := newTestPKI(t)
	s := startServer(t, server.Options{TLS: pki.serverTLS(t, true)}, nil)
	port := s.port
	c := startClient(t, client.Options{Port: port, TLS: pki.clientTLS(t, true),
		Reconnect: &client.Backoff{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond}})
	if !c.connected(t, 5*time.Second) {
		t.Fatalf("not connected: %v", c.ev.list)
	}
	if v := c.call(t, "poe://Srv/echo/echo", "one", 0); v != "one" {
		t.Fatalf("answer %v", v)
	}
	mark := c.ev.mark()
	s.stop(t)
	if _, err := c.ev.wait(mark, 5*time.Second, named("unregister", "Srv")); err != nil {
		t.Fatalf("no unregister: %v", c.ev.list[mark:])
	}
	startServer(t, server.Options{Port: port, TLS: pki.serverTLS(t, true)}, nil)
	if !c.connected(t, 5*time.Second) {
		t.Fatalf("did not reconnect: %v", c.ev.list[mark:])
	}
	if v := c.call(t, "poe://Srv/echo/echo", "two", 0); v != "two" {
		t.Fatalf("answer after reconnecting %v", v)
	}
}

// TestTLSStopDuringHandshake: a server stopped while a TLS handshake is in
// progress (a peer that connects and says nothing) closes that connection
// at once, not at the negotiation timeout, and leaves no descriptor.
func TestTLSStopDuringHandshake(t *testing.T) {
	pki := newTestPKI(t)
	base := openFDs()
	s := startServer(t, server.Options{NegotiationTimeout: time.Minute, TLS: pki.serverTLS(t, false)}, nil)
	c, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(50 * time.Millisecond) // accepted, handshaking
	start := time.Now()
	s.stop(t)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("the server sent something")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("connection closed after %v", d)
	}
	c.Close()
	if n := settleFDs(base, 5*time.Second); n > base {
		t.Errorf("descriptors: %d open, %d before", n, base)
	}
}
