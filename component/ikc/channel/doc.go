// Package channel is POE::Component::IKC::Channel: one per connection, it
// negotiates in line mode and then forwards records between the socket and
// the responder.
//
// The negotiation is a pure state machine, Negotiation, one per connection
// and role (ServerRole, ClientRole, LiteRole for ClientLite), speaking the
// one-line IKC0 SETUP exchange or the legacy IKC dialogue and falling back
// between them exactly as the Perl code does:
//
//	IKC0 client -> IKC0 server   SETUP / SETUP
//	IKC  client -> IKC0 server   HELLO, the server switches to IKC
//	IKC0 client -> IKC  server   SETUP / NOT, the client sends HELLO
//
// It does no I/O: Start returns the lines the connecting side sends first,
// Feed consumes one received line and returns the lines to answer with.
// The caller writes each line followed by "\r\n" in a single write, and
// after Done switches the connection to frames of the negotiated
// Result.Serializer. Serializers are named by the caller (their names in
// the serial registry), so the machine depends on none of them.
//
// # Deviations from Perl IKC 0.2402
//
// Where Perl would crash, stall or silently misbehave, a Negotiation fails
// with an *Error instead:
//
//   - Empty lines are ignored in every phase. Perl answers NOT to them in
//     several phases, which derails the dialogue; they only arise from a
//     CR LF split across two reads.
//   - An IKC0 client (ClientRole or LiteRole) that gets a SETUP it cannot
//     use sends NOT as Perl does, then fails: Perl waits forever because
//     the server has already switched to frames.
//   - An IKC0 client whose server chose a serializer not in
//     Options.Serializers fails with ErrRefused; the Perl client dies.
//   - A negotiation fails after Options.MaxLines received lines or on a
//     line longer than Options.MaxLineLength; Perl has no bound on the
//     number of lines and dies only at 64 MiB.
//   - A peer that ends the dialogue without any name (and no sanity
//     alias) fails the negotiation; Perl registers an undefined kernel
//     and dies later.
//   - A SETUP with an empty name in a list ("KERNEL=a,,b") or a PID that
//     does not fit an int is bad (answered NOT); Perl accepts both.
//   - Options.Protocol must be IKC0, IKC or empty; Perl takes any other
//     value as IKC.
//   - ClientLite reports a line that breaks its dialogue at once; the
//     Perl ClientLite reports it too, but only checks CR LF line ends and
//     its connect timeout is the caller's business here (a Negotiation has
//     no clock: impose the timeout around it).
//   - Local names containing ',', ';', CR or LF are refused by
//     NewNegotiation; Perl would send a line the peer misreads.
//
// Kept on purpose: a legacy client whose every serializer was refused
// goes on with its default serializer, as Perl does, and the server does
// the same; a server ignores IKC0 garbage silently and answers legacy
// garbage with NOT.
package channel
