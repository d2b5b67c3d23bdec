// Package clientlite is POE::Component::IKC::ClientLite for plain Go
// programs: a blocking IKC client that needs no kernel. It connects to an
// IKC server (Perl's POE::Component::IKC::Server or a Go one) over TCP or
// a unix-domain socket, negotiates as ClientLite does (IKC0, falling back
// to the legacy dialogue, or the legacy dialogue alone), and then posts
// to and calls the server's published states, waiting for each reply.
//
//	c, err := clientlite.Connect(ctx, clientlite.Options{Addr: "127.0.0.1:603", Name: "Lite"})
//	v, err := c.Call("echo/echo", "hello")    // poe://<server>/echo/echo
//	err = c.Post("echo/log", []any{"a", 1})
//
// Records are frozen with Storable by default, so any Perl IKC 0.2402
// server understands them. Specifiers not starting with "poe:" are
// relative to the server, as in Perl.
//
// # Connection
//
// Connect negotiates once. Afterwards, as in Perl: a request whose write
// fails reconnects once and is written again; a reply that times out
// marks the connection down, and the next request reconnects with a new
// negotiation. In addition, a connection the server has closed (a
// restarted server) is noticed before writing and reconnected first, and
// a connection that breaks while waiting fails the request at once.
//
// # Differences from Perl's ClientLite
//
//   - Unix-domain sockets (Options.Unix) are supported.
//   - A remote_error fails the request with a *RemoteError holding the
//     server's message, where Perl dies with "ARRAY(0x…)".
//   - Errors are values (*Error, wrapping the cause), never a global.
//   - Ping also works after the IKC0 negotiation, addressing the server's
//     first SETUP name; Perl's ping has no target then and fails with
//     "Bad message". Perl servers answer PONG either way.
//   - Frames are read strictly: a reply must start with its digits and
//     NUL. Perl searches its buffer for the first digits-NUL it finds, so
//     a stray byte shifts every frame after it. A length prefix over
//     Options.MaxFrame, a length of zero and a payload the serializer
//     cannot thaw are errors that drop the connection.
//   - Bytes received after a reply are kept for the next request; Perl
//     discards them with its per-call buffer.
//   - The reply counter (response<n>) is per Client, not per process.
//   - ConnectTimeout bounds connecting and negotiating together, not each
//     negotiation phase; a context bounds the first Connect.
//   - A negotiation line may end in LF alone, not only CR LF.
//   - A Client may be shared between goroutines; its requests run one at
//     a time.
//
// Kept from Perl on purpose: a handler that returns undef (or an empty
// list in list context) sends no reply, so Call waits for Timeout and
// fails with ErrTimeout; records for other sessions or states are dropped
// (reported through Options.Warn).
package clientlite
