package interop_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/client"
)

// TestGoClientWithASecretAgainstPerlServer: a Go Client configured with a
// shared secret cannot authenticate to a Perl server, which knows nothing
// of it: the Perl server has finished the dialogue and takes the
// client's AUTH-GO1 line for the start of a frame, so it waits; the Go
// side ends the attempt at its negotiation timeout, never registers the
// server, and the Perl server survives the connection's end and serves
// the next client.
func TestGoClientWithASecretAgainstPerlServer(t *testing.T) {
	lib := ikcLib(t)
	for _, proto := range []channel.Protocol{channel.IKC0, channel.IKC} {
		t.Run(string(proto), func(t *testing.T) {
			srv := startPerlServer(t, lib, proto, "", 0)
			const limit = 300 * time.Millisecond
			g := startGoKernel(t, "GoCli", func(g *goKernel) error {
				_, err := client.Spawn(g.k, client.Options{
					Port: srv.port, Name: "GoCli", Protocol: proto, Secret: []byte("not shared with Perl"),
					NegotiationTimeout: limit,
					OnConnect:          func() { g.send("connected") },
					OnError:            func(op string, errno int, text string) { g.send("client error", op, errno, text) },
				})
				return err
			})
			got := g.expect("client error", nil, 15*time.Second)
			if got[0] != "negotiate" || got[1] != int(syscall.ETIMEDOUT) || !strings.HasPrefix(got[2].(string), "authentication did not finish") {
				t.Fatalf("client error %v", got)
			}
			// Perl registered the Go kernel when its dialogue ended, and
			// unregisters it when the connection closes.
			srv.expect("MONITOR register name=GoCli", 15*time.Second)
			srv.expect("MONITOR unregister name=GoCli", 15*time.Second)
			if !srv.alive() {
				t.Fatalf("the Perl server died:\n%s", srv.stderr)
			}
			c := srv.connect(t, proto, 10*time.Second)
			if v, err := c.Call("echo/echo", "still here"); err != nil || v != "still here" {
				t.Fatalf("call after the refused client: %v, %v", v, err)
			}
			for _, r := range g.backlog {
				if r.kind == "connected" || r.kind == "register" {
					t.Errorf("the Go client reported %v", r)
				}
			}
		})
	}
}
