package clientlite

import (
	"os"
	"strconv"
	"testing"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/poe/serial/storable"
)

// peerIDServer negotiates proto on one connection and sends the name the
// client registered under (the negotiation's PeerID) on the channel.
func peerIDServer(t *testing.T, proto channel.Protocol) (*fakeServer, <-chan string) {
	srv := newFakeServer(t, "tcp")
	ids := make(chan string, 1)
	srv.serve(func(p *peer) {
		n, err := channel.NewNegotiation(channel.Options{
			Role: channel.ServerRole, Protocol: proto, KernelID: "kid-1", Name: "Fake",
			Serializers: []string{storable.Name}, PID: 1,
		})
		if err != nil {
			t.Error(err)
			return
		}
		for !n.Done() {
			line, err := p.rd.line(maxLineLength)
			if err != nil {
				return
			}
			out, err := n.Feed(line)
			if err2 := writeLines(p.conn, out); err2 != nil || err != nil {
				t.Errorf("server negotiation: %v %v", err, err2)
				return
			}
		}
		r, _ := n.Result()
		ids <- r.PeerID
	})
	return srv, ids
}

// TestNameIsTheKernelNameOnTheServer checks Client.Name: the name given in
// Options, else ClientLite's default "Client<pid>", and in either case the
// name the server registers the client under, with both dialogues.
func TestNameIsTheKernelNameOnTheServer(t *testing.T) {
	tests := []struct {
		name, given, want string
	}{
		{"a given name is the client's name", "Lite", "Lite"},
		{"a name with colons is kept as given", "Lite::Worker", "Lite::Worker"},
		{"without a name the client is Client and its pid", "", "Client" + strconv.Itoa(os.Getpid())},
	}
	for _, proto := range []channel.Protocol{channel.IKC0, channel.IKC} {
		for _, tc := range tests {
			t.Run(string(proto)+" "+tc.name, func(t *testing.T) {
				srv, ids := peerIDServer(t, proto)
				o := srv.options()
				o.Name, o.Protocol = tc.given, proto
				c := connect(t, o)
				if got := c.Name(); got != tc.want {
					t.Errorf("Name() = %q, want %q", got, tc.want)
				}
				if id := <-ids; id != tc.want {
					t.Errorf("the server registered the client as %q, want %q", id, tc.want)
				}
			})
		}
	}
}
