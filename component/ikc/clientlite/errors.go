package clientlite

import (
	"context"
	"errors"
	"os"
	"strings"
)

// Sentinel errors wrapped by *Error, for errors.Is.
var (
	// ErrTimeout: no reply to the request arrived within Options.Timeout
	// (Perl: "Timed out waiting for response poe://…"). The connection is
	// marked down and the next request reconnects.
	ErrTimeout = errors.New("timed out waiting for response")
	// ErrClosed: the Client was disconnected with Disconnect.
	ErrClosed = errors.New("client is disconnected")
	// ErrFrame: the server sent bytes that are not a frame
	// (<digits> NUL <payload>), a frame of length zero, or a frame over
	// Options.MaxFrame.
	ErrFrame = errors.New("malformed IKC frame")
	// ErrSpecifier: the target is not a specifier naming a session and a
	// state (Perl's "Bad message" croak).
	ErrSpecifier = errors.New("bad IKC specifier")
)

// Error is a failed ClientLite operation, in the manner of *net.OpError:
// the method (Op: "connect", "post", "call", "post_respond", "responded",
// "ping"), the specifier it was about, the server address, and the cause.
type Error struct {
	Op   string
	Spec string
	Addr string
	Err  error
}

// Error formats as "ikc clientlite <op> <spec> (<addr>): <cause>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ikc clientlite ")
	b.WriteString(e.Op)
	if e.Spec != "" {
		b.WriteString(" ")
		b.WriteString(e.Spec)
	}
	if e.Addr != "" {
		b.WriteString(" (")
		b.WriteString(e.Addr)
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the operation failed because a reply, a
// connection or a negotiation took too long, as net.Error does.
func (e *Error) Timeout() bool {
	return errors.Is(e.Err, ErrTimeout) || errors.Is(e.Err, os.ErrDeadlineExceeded) ||
		errors.Is(e.Err, context.DeadlineExceeded)
}

// RemoteError is the remote_error record (IKC spec 10.7) a server sends
// when it cannot deliver a request, for example to a state it has not
// published. Perl's ClientLite dies with the stringified params array
// ("ARRAY(0x…)"); here the parts are kept.
type RemoteError struct {
	// Message is params[0], the text of the server's error.
	Message string
	// Kernel is the kernel part of the failed request (params[1]); empty
	// when the server sent undef.
	Kernel string
	// Phase is the step that failed (params[2]): request, check, resolve
	// or invocation.
	Phase string
}

// Error returns the server's message.
func (e *RemoteError) Error() string { return "remote error: " + e.Message }
