// Package server is POE::Component::IKC::Server: a session that listens on
// a TCP port or a unix-domain socket and gives every accepted connection
// its own channel session, which negotiates and then carries IKC records
// between the peer and this kernel's IKC responder.
//
// Perl's pre-forking options (processes, connections, babysit) do not
// exist: a Go kernel serves every connection on one loop goroutine, and a
// program that wants more cores runs more kernels (several servers on
// different ports, or one kernel per process behind a load balancer).
//
// Differences from Perl IKC: the default bind address is 127.0.0.1, not
// 0.0.0.0 (say Address "0.0.0.0" to listen everywhere); Port 0 is an
// ephemeral port (Perl's default 603 applies only when the port is
// undefined, which Go cannot express); a unix socket is created with mode
// 0600 unless UnixMode says otherwise; a negotiation that stalls is
// closed after NegotiationTimeout; and after a failed accept (EMFILE) the
// server waits a little before accepting again, where Perl retries at once.
package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// Options are POE::Component::IKC::Server->spawn's parameters.
type Options struct {
	// Address is the TCP address to bind (ip); default 127.0.0.1.
	Address string
	// Port is the TCP port; 0 picks a free one, which Spawn returns.
	Port int
	// Unix is a unix-domain socket path to listen on instead of TCP. Any
	// file at that path is removed first, and again when the server stops.
	Unix string
	// UnixMode is the permission of the unix socket; default 0600.
	UnixMode os.FileMode
	// Name is the local kernel name advertised on every channel.
	Name string
	// Aliases are further local kernel names.
	Aliases []string
	// Protocol is the negotiation to expect first: IKC0 (default) or IKC.
	Protocol channel.Protocol
	// Concurrency is the most connections served at once; accepting
	// pauses at the limit. 0 is unlimited.
	Concurrency int
	// OnError receives listen and accept errors, and channel errors that
	// happen before a peer is registered: (operation, errno, text).
	OnError func(op string, errno int, text string)
	// Serializers are the serializer names accepted, in order of
	// preference; default channel.DefaultSerializers.
	Serializers []string
	// NegotiationTimeout closes connections that do not finish
	// negotiating in time (channel.DefaultNegotiationTimeout when zero).
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
	// Secret, when set, is a shared secret every connection must prove
	// knowledge of after negotiating, without sending it (a challenge and
	// an HMAC; see package channel). Only Go peers configured with the
	// same secret can connect; Perl peers and ClientLite cannot.
	Secret []byte
	// TLS, when set, runs every accepted connection over TLS with this
	// configuration (see TLSFromFiles); the handshake is bounded by
	// NegotiationTimeout and failures go to OnError or the monitors as
	// "tls". Go peers only: Perl peers and ClientLite cannot connect. Each
	// TLS connection costs a socketpair and copying goroutines (see
	// channel.StartTLS).
	TLS *tls.Config
}

type srv struct {
	opts     Options
	k        *kernel.Kernel
	sf       *wheel.SocketFactory
	port     int
	children int
	paused   bool
	stopping bool
	setupErr error
	pending  map[*channel.TLSHandshake]bool // TLS handshakes in progress

	// backingOff is set while accepting waits after a failed accept,
	// for acceptWait (see failure).
	backingOff bool
	acceptWait time.Duration
}

// Spawn starts an IKC server on k and returns the TCP port it listens on
// (0 for a unix socket). Call it from a handler or before k.Run.
func Spawn(k *kernel.Kernel, opts Options) (int, error) {
	if opts.Address == "" {
		opts.Address = "127.0.0.1"
	}
	if opts.Protocol == "" {
		opts.Protocol = channel.IKC0
	}
	if opts.Serializers == nil {
		opts.Serializers = channel.DefaultSerializers
	}
	if opts.UnixMode == 0 {
		opts.UnixMode = 0o600
	}
	s := &srv{opts: opts, k: k}
	sess := k.Create(kernel.Session{
		States: kernel.States{
			"_start":    s.start,
			"_stop":     s.stop,
			"_child":    s.child,
			"accepted":  s.accepted,
			"tls_ready": s.tlsReady,
			"failure":   s.failure,
			"retry":     s.retryAccept,
			"shutdown":  s.shutdown,
		},
		Heap: s,
	})
	if sess == nil {
		return 0, errors.New("ikc server: could not create the server session")
	}
	if s.setupErr != nil {
		return 0, s.setupErr
	}
	return s.port, nil
}

func (s *srv) names() []string {
	var names []string
	if s.opts.Name != "" {
		names = append(names, s.opts.Name)
	}
	return append(names, s.opts.Aliases...)
}

func (s *srv) start(e *kernel.Event) any {
	r := responder.Spawn(e.Kernel)
	r.RegisterLocal(s.names())
	sfo := wheel.SocketFactoryOptions{
		Reuse:        true,
		SuccessEvent: "accepted",
		FailureEvent: "failure",
	}
	if s.opts.Unix != "" {
		os.Remove(s.opts.Unix)
		sfo.SocketDomain = unix.AF_UNIX
		sfo.BindAddress = s.opts.Unix
		e.Kernel.AliasSet("IKC Server unix:" + s.opts.Unix)
	} else {
		sfo.BindAddress = s.opts.Address
		sfo.BindPort = s.opts.Port
		if ip := net.ParseIP(s.opts.Address); ip != nil && ip.To4() == nil {
			sfo.SocketDomain = unix.AF_INET6
		}
	}
	sf, err := wheel.NewSocketFactory(e, sfo)
	if err == nil {
		err = sf.LastError() // socket, bind and listen failures are known at once
	}
	if err != nil {
		s.setupErr = fmt.Errorf("ikc server: %w", err)
		if sf != nil {
			sf.Close()
		}
		return nil
	}
	s.sf = sf
	if s.opts.Unix != "" {
		if err := os.Chmod(s.opts.Unix, s.opts.UnixMode); err != nil {
			s.setupErr = fmt.Errorf("ikc server: chmod %s: %w", s.opts.Unix, err)
			sf.Close()
			return nil
		}
	} else {
		addr, err := sf.GetSockName()
		if err != nil {
			s.setupErr = fmt.Errorf("ikc server: getsockname: %w", err)
			sf.Close()
			return nil
		}
		if tcp, ok := addr.(*net.TCPAddr); ok {
			s.port = tcp.Port
		}
		e.Kernel.AliasSet(fmt.Sprintf("IKC Server %s:%d", s.opts.Address, s.port))
	}
	r.Monitor("*", map[string]string{"shutdown": "shutdown"}, nil)
	return nil
}

// accepted is SocketFactory's SuccessEvent: a new connection, a new channel.
func (s *srv) accepted(e *kernel.Event) any {
	fd := e.ArgInt(0)
	s.acceptWait = 0
	cfg := channel.Config{
		Handle:             fd,
		Role:               channel.ServerRole,
		Protocol:           s.opts.Protocol,
		Name:               s.opts.Name,
		Aliases:            s.opts.Aliases,
		Serializers:        s.opts.Serializers,
		OnError:            s.opts.OnError,
		NegotiationTimeout: s.opts.NegotiationTimeout,
		MaxFrame:           s.opts.MaxFrame,
		MaxLineLength:      s.opts.MaxLineLength,
		MaxDepth:           s.opts.MaxDepth,
		MaxItems:           s.opts.MaxItems,
		MaxOutput:          s.opts.MaxOutput,
		Secret:             s.opts.Secret,
	}
	if s.opts.Unix != "" {
		cfg.TransportName = channel.UnixName(s.opts.Unix)
	} else {
		cfg.TransportName = channel.LocalName(fd)
		if ip, ok := e.Arg(1).(net.IP); ok {
			cfg.SanityAlias = channel.HostPort(ip, e.ArgInt(2))
		}
	}
	if s.opts.TLS != nil {
		s.startTLS(e, cfg)
	} else {
		s.children++
		channel.Spawn(e.Kernel, cfg)
	}
	if s.opts.Concurrency > 0 && s.children >= s.opts.Concurrency && !s.paused {
		s.paused = true
		s.sf.PauseAccept()
	}
	return nil
}

func (s *srv) child(e *kernel.Event) any {
	if e.ArgString(0) != "lose" {
		return nil
	}
	s.children--
	s.resume()
	return nil
}

// resume accepts again when a connection ended below the Concurrency limit.
func (s *srv) resume() {
	if s.paused && !s.stopping && s.children < s.opts.Concurrency {
		s.paused = false
		if !s.backingOff {
			s.sf.ResumeAccept()
		}
	}
}

func (s *srv) failure(e *kernel.Event) any {
	op, errno, text := e.ArgString(0), e.ArgInt(1), e.ArgString(2)
	if s.opts.OnError != nil {
		s.opts.OnError(op, errno, text)
	} else if r := responder.Get(e.Kernel); r != nil {
		r.ChannelError(nil, op, errno, text) // monitors of "*" hear channel-<op>
	}
	if op != "accept" {
		s.closeListener(e)
		return nil
	}
	// Perl's Server retries a failed accept at once, and the connection
	// that made it fail is still waiting: out of descriptors (EMFILE), it
	// fails again on every turn of the loop, tens of thousands of reports
	// a second. Pausing the accept for 5 ms, twice as long after each
	// further failure up to a second, gives the reports and the CPU a
	// rest; a successful accept starts again at 5 ms.
	if s.sf == nil || s.stopping {
		return nil
	}
	s.acceptWait = min(max(2*s.acceptWait, 5*time.Millisecond), time.Second)
	if !s.backingOff && !s.paused {
		s.sf.PauseAccept()
	}
	s.backingOff = true
	e.Kernel.Delay("retry", s.acceptWait)
	return nil
}

// retryAccept accepts again after a failed accept (see failure), unless
// the Concurrency limit paused accepting meanwhile.
func (s *srv) retryAccept(e *kernel.Event) any {
	s.backingOff = false
	if !s.paused && !s.stopping && s.sf != nil {
		s.sf.ResumeAccept()
	}
	return nil
}

// shutdown is the '*' shutdown monitor: IKC is going away, so stop listening.
func (s *srv) shutdown(e *kernel.Event) any {
	s.closeListener(e)
	return nil
}

func (s *srv) closeListener(e *kernel.Event) {
	s.stopping = true
	e.Kernel.Delay("retry", -1)
	if s.sf != nil {
		s.sf.Close()
		s.sf = nil
	}
	for _, a := range e.Kernel.AliasList(nil) {
		e.Kernel.AliasRemove(a)
	}
	if r := responder.Get(e.Kernel); r != nil {
		r.Monitor("*", nil, nil)
	}
}

func (s *srv) stop(e *kernel.Event) any {
	s.abandonTLS()
	if s.sf != nil {
		s.sf.Close()
	}
	if s.opts.Unix != "" {
		os.Remove(s.opts.Unix)
	}
	return nil
}
