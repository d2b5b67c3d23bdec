package responder

import (
	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
)

// Channel is one connection to a remote kernel as the responder sees it:
// the responder's half of POE::Component::IKC::Channel. The channel session
// (package channel) implements it for sockets; the responder implements it
// itself for the local kernel pseudo-channel (IKC-PROTOCOL 13.7).
//
// The seam is typed Go rather than POE states: the channel calls the
// Responder's methods (RegisterChannel, Register, Request, ChannelError,
// Unregister) on the loop, and the responder calls these.
type Channel interface {
	// Send writes one record to the peer. An empty rsvp kernel is filled
	// with the peer's kernel name first, as Perl's channel does. It
	// reports false when the channel is already closed (Perl counts that
	// as sent and warns; the responder decides).
	Send(m *message.Message) bool
	// Shutdown closes the channel once its output has drained (IKC's
	// channel "shutdown" state).
	Shutdown()
	// Session is the channel's session, for monitor reports ("channel"
	// events carry its ID).
	Session() *kernel.Session
}
