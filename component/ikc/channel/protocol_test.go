package channel

import "testing"

// TestProtocolFollowsTheFallback holds Negotiation.Protocol: each side
// reports the dialogue it starts with, and the one in use once the
// fallbacks of IKC 0.2402 have run (an IKC0 client meeting an IKC server
// is answered NOT and says HELLO; an IKC0 server meeting HELLO switches).
func TestProtocolFollowsTheFallback(t *testing.T) {
	for _, tc := range []struct {
		name         string
		srv, cli     Protocol
		final        Protocol
		serverBefore Protocol // the server's protocol before any line
	}{
		{"an IKC0 client and an IKC0 server stay on IKC0", IKC0, IKC0, IKC0, IKC0},
		{"an IKC0 client falls back to an IKC server's dialogue", IKC, IKC0, IKC, IKC},
		{"an IKC0 server follows an IKC client's HELLO", IKC0, IKC, IKC, IKC0},
		{"an IKC client and an IKC server stay on IKC", IKC, IKC, IKC, IKC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.srv)
			cli := newClient(t, ClientRole, tc.cli, "msgpack")
			if srv.Protocol() != tc.serverBefore || cli.Protocol() != tc.cli {
				t.Errorf("before: server %s, client %s; want %s, %s", srv.Protocol(), cli.Protocol(), tc.serverBefore, tc.cli)
			}
			pump(t, srv, cli)
			if srv.Protocol() != tc.final || cli.Protocol() != tc.final {
				t.Errorf("after: server %s, client %s; want %s", srv.Protocol(), cli.Protocol(), tc.final)
			}
		})
	}
}
