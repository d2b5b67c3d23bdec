package reliability

import (
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/server"
)

// TestSharedSecret: Go peers with the same secret connect and call; a wrong
// secret, a missing one on either side and a ClientLite (which cannot
// authenticate) are refused and reported on both sides, and the server
// keeps serving.
func TestSharedSecret(t *testing.T) {
	secret := []byte("s3cret shared by the Go kernels")
	s := startServer(t, server.Options{NegotiationTimeout: time.Second, Secret: secret}, nil)

	t.Run("the same secret connects", func(t *testing.T) {
		c := startClient(t, client.Options{Port: s.port, Name: "Good", Secret: secret})
		if !c.connected(t, 5*time.Second) {
			t.Fatalf("not connected: %v", c.ev.list)
		}
		if v := c.call(t, "poe://Srv/echo/echo", "hi", 0); v != "hi" {
			t.Fatalf("answer %v", v)
		}
	})
	for _, tc := range []struct {
		name      string
		secret    []byte
		clientErr string
	}{
		{"another secret is refused", []byte("guess"), "proof is wrong"},
		{"no secret is refused", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mark := s.ev.mark()
			c := startClient(t, client.Options{Port: s.port, Name: "Bad", Secret: tc.secret, NegotiationTimeout: time.Second})
			if _, err := s.ev.wait(mark, 5*time.Second, isError("channel-", "authentication")); err != nil {
				t.Fatalf("server reported no authentication error: %v", s.ev.list[mark:])
			}
			if tc.clientErr != "" {
				if _, err := c.ev.wait(0, 5*time.Second, isError("authenticate", tc.clientErr)); err != nil {
					t.Fatalf("client reported no authentication error: %v", c.ev.list)
				}
			}
			if s.ev.count(mark, func(e ev) bool { return e.kind == "register" }) != 0 {
				t.Error("the server registered an unauthenticated peer")
			}
		})
	}
	t.Run("ClientLite cannot authenticate", func(t *testing.T) { expectLiteRefused(t, s, "channel-") })
	t.Run("a client with a secret refuses a server without one", func(t *testing.T) {
		open := startServer(t, server.Options{Name: "Open", NegotiationTimeout: time.Second}, nil)
		c := startClient(t, client.Options{Port: open.port, Name: "Careful", Secret: secret, NegotiationTimeout: time.Second})
		if _, err := c.ev.wait(0, 5*time.Second, isError("", "")); err != nil {
			t.Fatalf("client reported nothing: %v", c.ev.list)
		}
		if c.ev.count(0, func(e ev) bool { return e.kind == "register" }) != 0 {
			t.Error("the client registered an unauthenticated server")
		}
	})
}
