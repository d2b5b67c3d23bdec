// Package client is POE::Component::IKC::Client: a session that connects
// to an IKC server once, hands the socket to a channel session, and goes
// away when the connection is negotiated (after OnConnect) or has failed.
//
// Differences from Perl IKC: the port has no default (Perl's is 903, which
// does not match its server's 603); ConnectTimeout bounds the connection
// (Perl has none); a refused subscription is reported to OnError and the
// monitors instead of killing the process; over a unix socket the sanity
// alias is the socket's name rather than Perl's literal "unix:n".
package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// DefaultConnectTimeout bounds a connection attempt when none is given.
const DefaultConnectTimeout = 30 * time.Second

// Options are POE::Component::IKC::Client->spawn's parameters.
type Options struct {
	// Address is the server's host (ip); default 127.0.0.1.
	Address string
	// Port is the server's TCP port.
	Port int
	// Unix is the server's unix-domain socket path, instead of TCP.
	Unix string
	// Name is the local kernel name; default "Client<pid>".
	Name string
	// Aliases are further local kernel names.
	Aliases []string
	// Subscribe are remote sessions (poe://Kernel/session) to subscribe to
	// before OnConnect runs.
	Subscribe []string
	// OnConnect runs once the connection is negotiated and every
	// subscription answered, inside the channel session.
	OnConnect func()
	// OnError receives connect and negotiation errors: (operation, errno,
	// text).
	OnError func(op string, errno int, text string)
	// Serializers are offered in this order of preference; default
	// channel.DefaultSerializers (msgpack, which Go servers pick, then
	// Storable, which Perl servers pick, then FreezeThaw).
	Serializers []string
	// Protocol is the negotiation to start with: IKC0 (default) or IKC.
	Protocol channel.Protocol
	// ConnectTimeout bounds the TCP or unix connect
	// (DefaultConnectTimeout when zero).
	ConnectTimeout time.Duration
	// NegotiationTimeout bounds the negotiation after connecting.
	NegotiationTimeout time.Duration
	// MaxFrame bounds one received frame.
	MaxFrame int
	// MaxLineLength bounds one negotiation line
	// (channel.DefaultMaxLineLength when zero).
	MaxLineLength int
	// MaxDepth and MaxItems bound one thawed record (channel.DefaultMaxDepth
	// and channel.DefaultMaxItems when zero).
	MaxDepth, MaxItems int
	// MaxOutput is the output high-water mark of each connection; a peer
	// that lets more pile up is dropped (channel.DefaultMaxOutput when zero).
	MaxOutput int
	// Reconnect, when set, keeps the connection up: failed attempts and
	// lost connections are retried with this backoff, and each new
	// connection resubscribes (see Backoff). Nil, the default, connects
	// once, as Perl does.
	Reconnect *Backoff
	// Secret, when set, is a shared secret every connection must prove
	// knowledge of after negotiating, without sending it (a challenge and
	// an HMAC; see package channel). Only Go peers configured with the
	// same secret can connect; Perl peers and ClientLite cannot.
	Secret []byte
	// TLS, when set, runs the connection over TLS with this configuration
	// (see TLSFromFiles); ServerName defaults to Address (over a unix
	// socket there is no default: set ServerName). The handshake is
	// bounded by NegotiationTimeout and a failure goes to OnError as
	// "tls". Go servers with TLS only: Perl servers cannot speak it. Each
	// TLS connection costs a socketpair and copying goroutines (see
	// channel.StartTLS).
	TLS *tls.Config
}

type cli struct {
	opts Options
	sf   *wheel.SocketFactory
	err  error
	tls  *channel.TLSHandshake // the TLS handshake in progress
}

// Spawn starts connecting k to an IKC server and returns the client
// session. Call it from a handler or before k.Run. Errors in the options
// are returned; connection errors go to OnError.
func Spawn(k *kernel.Kernel, opts Options) (*kernel.Session, error) {
	if opts.Reconnect != nil {
		return spawnReconnecting(k, opts)
	}
	if opts.Unix == "" && opts.Port <= 0 {
		return nil, errors.New("ikc client: a Port or a Unix path is required")
	}
	if opts.Address == "" {
		opts.Address = "127.0.0.1"
	}
	if opts.Name == "" {
		opts.Name = "Client" + strconv.Itoa(os.Getpid())
	}
	if opts.Serializers == nil {
		opts.Serializers = channel.DefaultSerializers
	}
	if opts.Protocol == "" {
		opts.Protocol = channel.IKC0
	}
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	c := &cli{opts: opts}
	s := k.Create(kernel.Session{
		States: kernel.States{
			"_start":    c.start,
			"_stop":     c.stop,
			"connected": c.connected,
			"tls_ready": c.tlsReady,
			"failure":   c.failure,
			"timeout":   c.timeout,
		},
		Heap: c,
	})
	if c.err != nil {
		return nil, c.err
	}
	return s, nil
}

func (c *cli) names() []string {
	return append([]string{c.opts.Name}, c.opts.Aliases...)
}

func (c *cli) start(e *kernel.Event) any {
	e.Kernel.AliasSet("IKC Client " + c.opts.Name)
	responder.Spawn(e.Kernel).RegisterLocal(c.names())
	sfo := wheel.SocketFactoryOptions{SuccessEvent: "connected", FailureEvent: "failure"}
	if c.opts.Unix != "" {
		sfo.SocketDomain = unix.AF_UNIX
		sfo.RemoteAddress = c.opts.Unix
	} else {
		sfo.RemoteAddress = c.opts.Address
		sfo.RemotePort = c.opts.Port
	}
	sf, err := wheel.NewSocketFactory(e, sfo)
	if err != nil {
		c.err = fmt.Errorf("ikc client: %w", err)
		return nil
	}
	c.sf = sf
	e.Kernel.Delay("timeout", c.opts.ConnectTimeout)
	return nil
}

func (c *cli) connected(e *kernel.Event) any {
	e.Kernel.Delay("timeout", -1)
	fd := e.ArgInt(0)
	c.sf.Close() // the connected socket is ours now
	c.sf = nil
	cfg := channel.Config{
		Handle:             fd,
		Role:               channel.ClientRole,
		Protocol:           c.opts.Protocol,
		Name:               c.opts.Name,
		Aliases:            c.opts.Aliases,
		Serializers:        c.opts.Serializers,
		Subscribe:          c.opts.Subscribe,
		OnConnect:          c.opts.OnConnect,
		OnError:            c.opts.OnError,
		NegotiationTimeout: c.opts.NegotiationTimeout,
		MaxFrame:           c.opts.MaxFrame,
		MaxLineLength:      c.opts.MaxLineLength,
		MaxDepth:           c.opts.MaxDepth,
		MaxItems:           c.opts.MaxItems,
		MaxOutput:          c.opts.MaxOutput,
		Secret:             c.opts.Secret,
	}
	if c.opts.Unix != "" {
		cfg.TransportName = channel.UnixName(c.opts.Unix) + ":" + strconv.Itoa(os.Getpid()) + "-" + strconv.Itoa(fd)
		cfg.SanityAlias = channel.UnixName(c.opts.Unix)
	} else {
		cfg.TransportName = channel.LocalName(fd)
		cfg.SanityAlias = c.opts.Address + ":" + strconv.Itoa(c.opts.Port)
	}
	if c.opts.TLS != nil {
		c.startTLS(e, cfg)
		return nil
	}
	channel.Spawn(e.Kernel, cfg)
	c.done(e)
	return nil
}

func (c *cli) failure(e *kernel.Event) any {
	c.report(e.Kernel, e.ArgString(0), e.ArgInt(1), e.ArgString(2))
	c.done(e)
	return nil
}

func (c *cli) timeout(e *kernel.Event) any {
	c.report(e.Kernel, "connect", int(syscall.ETIMEDOUT), fmt.Sprintf("no connection within %s", c.opts.ConnectTimeout))
	c.done(e)
	return nil
}

// report gives a connection error to OnError or, without one, to the
// monitors of "*" as error channel-<op> "[errno] text": Perl's Client
// does the same (monitor_error); without it the error would be lost.
func (c *cli) report(k *kernel.Kernel, op string, errno int, text string) {
	if c.opts.OnError != nil {
		c.opts.OnError(op, errno, text)
		return
	}
	tellMonitors(k, op, errno, text)
}

// tellMonitors gives a connection error to the monitors of "*", as Perl's
// Client does without on_error.
func tellMonitors(k *kernel.Kernel, op string, errno int, text string) {
	if r := responder.Get(k); r != nil {
		r.ChannelError(nil, op, errno, text)
	}
}

// done ends the client session: the channel, if any, lives on.
func (c *cli) done(e *kernel.Event) {
	if c.sf != nil {
		c.sf.Close()
		c.sf = nil
	}
	e.Kernel.Delay("timeout", -1)
	e.Kernel.AliasRemove("IKC Client " + c.opts.Name)
}
