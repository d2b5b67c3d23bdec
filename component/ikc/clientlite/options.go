package clientlite

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/poe/serial/storable"
)

// Defaults of Options, those of POE::Component::IKC::ClientLite->spawn
// where it has them.
const (
	// DefaultAddr is the server host when Options.Addr is empty (Perl's ip).
	DefaultAddr = "localhost"
	// DefaultPort is the server port when Options.Addr names none.
	DefaultPort = 603
	// DefaultTimeout is how long a request waits for its reply.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxFrame bounds one frame received from the server.
	DefaultMaxFrame = 64 << 20
	// maxLineLength bounds one negotiation line received.
	maxLineLength = channel.DefaultMaxLineLength
)

// Options are the parameters of POE::Component::IKC::ClientLite->spawn.
// Only one of Addr (with Port) or Unix is used.
type Options struct {
	// Addr is the server's TCP host, or "host:port" (Perl's ip and
	// port). Empty means DefaultAddr.
	Addr string
	// Port is the TCP port when Addr names none; 0 means DefaultPort.
	Port int
	// Unix is the path of a unix-domain socket to connect to instead of
	// TCP (Perl's ClientLite has no such option; Perl's Server has).
	Unix string
	// Name is this client's name: its kernel name as the server knows it,
	// and the kernel of every rsvp. Empty means "Client<pid>".
	Name string
	// Timeout is how long a request waits for its reply, and how long a
	// frame may take to write. 0 means DefaultTimeout.
	Timeout time.Duration
	// ConnectTimeout bounds connecting and negotiating together (Perl
	// bounds each negotiation phase). 0 means Timeout.
	ConnectTimeout time.Duration
	// Serializer is the name of the one serializer offered (Perl's
	// serialiser), as registered with package serial. Empty means
	// Storable, which every Perl IKC server accepts; a Go server also
	// accepts msgpack.Name and FreezeThaw (freezethaw.Name).
	Serializer string
	// Protocol is the negotiation to start with: channel.IKC0 (the
	// default) or channel.IKC, the legacy dialogue. IKC0 falls back to IKC
	// when the server answers NOT.
	Protocol channel.Protocol
	// MaxFrame bounds one frame received from the server, so that a
	// hostile length prefix cannot make the client allocate without
	// bound. 0 means DefaultMaxFrame.
	MaxFrame int
	// Warn, when set, receives what Perl's ClientLite warns about: records
	// that arrive for another session or state and are dropped, and lines
	// the negotiation tolerates.
	Warn func(msg string)
}

// withDefaults fills the zero fields and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Unix == "" {
		if o.Addr == "" {
			o.Addr = DefaultAddr
		}
		if o.Port < 0 || o.Port > 65535 {
			return o, fmt.Errorf("port %d out of range", o.Port)
		}
		if o.Port == 0 {
			o.Port = DefaultPort
		}
	}
	if o.Name == "" {
		o.Name = "Client" + strconv.Itoa(os.Getpid())
	}
	if o.Timeout < 0 || o.ConnectTimeout < 0 || o.MaxFrame < 0 {
		return o, errors.New("negative Timeout, ConnectTimeout or MaxFrame")
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = o.Timeout
	}
	if o.Serializer == "" {
		o.Serializer = storable.Name
	}
	if o.Protocol == "" {
		o.Protocol = channel.IKC0
	}
	if o.MaxFrame == 0 {
		o.MaxFrame = DefaultMaxFrame
	}
	return o, nil
}

// endpoint returns what to dial, and the name Perl's ClientLite gives the
// server before negotiating ("<ip>:<port>" as configured): the kernel of
// relative specifiers after the legacy dialogue. A unix socket has none.
func (o Options) endpoint() (network, address, configured string) {
	if o.Unix != "" {
		return "unix", o.Unix, ""
	}
	if host, port, err := net.SplitHostPort(o.Addr); err == nil {
		return "tcp", o.Addr, host + ":" + port
	}
	return "tcp", net.JoinHostPort(o.Addr, strconv.Itoa(o.Port)), o.Addr + ":" + strconv.Itoa(o.Port)
}
