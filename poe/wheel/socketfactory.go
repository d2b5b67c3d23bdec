package wheel

import (
	"errors"
	"net"
	"syscall"

	"github.com/poe-go/poe/poe/kernel"
	"golang.org/x/sys/unix"
)

// SocketFactoryOptions are POE::Wheel::SocketFactory's parameters. The
// wheel connects when RemoteAddress is set, and otherwise listens (or,
// for datagram sockets, just binds).
type SocketFactoryOptions struct {
	// SocketDomain is unix.AF_INET (the default when 0), unix.AF_INET6 or
	// unix.AF_UNIX (SocketDomain).
	SocketDomain int
	// SocketType is unix.SOCK_STREAM (default) or unix.SOCK_DGRAM
	// (SocketType).
	SocketType int
	// SocketProtocol is "tcp" (default) or "udp", which implies
	// SOCK_DGRAM, for INET domains (SocketProtocol).
	SocketProtocol string
	// BindAddress and BindPort are the local address: a dotted quad, an
	// IPv6 literal or a host name and a port (0 chooses one; see
	// GetSockName); for unix sockets BindAddress is the socket path.
	BindAddress string
	BindPort    int
	// RemoteAddress and RemotePort are what to connect to (for unix
	// sockets, RemoteAddress is the path). Host names are resolved with
	// a blocking lookup, as POE does.
	RemoteAddress string
	RemotePort    int
	// ListenQueue is listen(2)'s backlog; 0 means SOMAXCONN.
	ListenQueue int
	// Reuse sets SO_REUSEADDR before binding (Reuse => 'yes').
	Reuse bool
	// Nagle leaves Nagle's algorithm on. By default the wheel sets
	// TCP_NODELAY on every TCP socket it connects or accepts, because
	// POE's users (IKC first) batch their own writes and want them sent
	// at once.
	Nagle bool

	// SuccessEvent receives each accepted or connected socket: ARG0 the
	// descriptor (now the user's, nonblocking and close-on-exec), ARG1
	// the peer's address, ARG2 the peer's port, ARG3 the wheel ID.
	// For TCP the address is a net.IP (4 octets for IPv4, 16 for IPv6)
	// where POE passes a packed address; for unix sockets it is the
	// peer's path as a string ("" when unnamed) and the port is 0.
	// A bound datagram socket gets (fd, nil, 0, ID).
	SuccessEvent string
	// FailureEvent receives failures: ARG0 the operation ("socket",
	// "setsockopt", "bind", "listen", "connect", "accept", "inet_aton"
	// or, for IPv6, "getaddrinfo", ...), ARG1 the errno as an int, ARG2
	// its text, ARG3 the wheel ID. An address that does not resolve is
	// EADDRNOTAVAIL, as in POE.
	// Failures while setting up are posted, as POE does; the others are
	// called.
	FailureEvent string
}

// SocketFactory is POE::Wheel::SocketFactory: it makes a nonblocking
// socket and either listens on it, delivering each accepted connection
// to SuccessEvent, or connects it, delivering the connected socket to
// SuccessEvent once. There is no connect timeout; use a delay and Close.
type SocketFactory struct {
	base
	fd         int
	domain     int
	typ        int
	successEv  string
	failureEv  string
	nagle      bool
	watching   bool // the fd is watched (accept or connect)
	connecting bool
	local      unix.Sockaddr // the socket's address when it was handed over
}

// NewSocketFactory is POE::Wheel::SocketFactory->new, called from a
// handler of the session that will own the wheel. It returns an error only
// for missing events or a call outside a handler; the system's failures
// are posted to FailureEvent.
func NewSocketFactory(e *kernel.Event, o SocketFactoryOptions) (*SocketFactory, error) {
	if o.SuccessEvent == "" || o.FailureEvent == "" {
		return nil, errors.New("wheel.SocketFactory: SuccessEvent and FailureEvent are required")
	}
	w := &SocketFactory{fd: -1, domain: o.SocketDomain, typ: o.SocketType,
		successEv: o.SuccessEvent, failureEv: o.FailureEvent, nagle: o.Nagle}
	if err := w.init(e, "SocketFactory"); err != nil {
		return nil, err
	}
	if w.domain == 0 {
		w.domain = unix.AF_INET
	}
	if w.typ == 0 {
		w.typ = unix.SOCK_STREAM
		if o.SocketProtocol == "udp" {
			w.typ = unix.SOCK_DGRAM
		}
	}
	if op, err := w.setup(o); err != nil {
		w.postFailure(op, err)
	}
	return w, nil
}

// setup makes the socket and starts listening or connecting.
func (w *SocketFactory) setup(o SocketFactoryOptions) (string, error) {
	switch o.SocketProtocol {
	case "", "tcp", "udp":
	default:
		return "getprotobyname", syscall.EPROTONOSUPPORT
	}
	fd, err := newSocket(w.domain, w.typ, 0)
	if err != nil {
		return "socket", err
	}
	w.fd = fd
	if o.Reuse {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return "setsockopt", err
		}
	}
	connect := o.RemoteAddress != ""
	if o.BindAddress != "" || o.BindPort != 0 || (!connect && w.domain != unix.AF_UNIX) {
		sa, op, err := sockaddr(w.domain, o.BindAddress, o.BindPort)
		if err != nil {
			return op, err
		}
		if err := unix.Bind(fd, sa); err != nil {
			return "bind", err
		}
	}
	if connect {
		return w.connect(o)
	}
	if w.typ != unix.SOCK_STREAM {
		w.k.Post(w.s, w.successEv, w.release1(), nil, 0, w.idBox)
		return "", nil
	}
	q := o.ListenQueue
	if q <= 0 {
		q = unix.SOMAXCONN
	}
	if err := unix.Listen(fd, q); err != nil {
		return "listen", err
	}
	if err := w.k.SelectRead(fd, w.state("select accept", w.onAccept)); err != nil {
		return "select", err
	}
	w.watching = true
	return "", nil
}

func (w *SocketFactory) connect(o SocketFactoryOptions) (string, error) {
	sa, op, err := sockaddr(w.domain, o.RemoteAddress, o.RemotePort)
	if err != nil {
		return op, err
	}
	if err := unix.Connect(w.fd, sa); err != nil && err != unix.EINPROGRESS && err != unix.EINTR {
		return "connect", err
	}
	// Connected or not yet, the answer comes with writability, as in POE.
	if err := w.k.SelectWrite(w.fd, w.state("select connect", w.onConnect)); err != nil {
		return "select", err
	}
	w.watching, w.connecting = true, true
	return "", nil
}

// postFailure posts a setup failure, as POE's yield of FailureEvent.
func (w *SocketFactory) postFailure(op string, err error) {
	oe := &OpError{Wheel: w.id, Op: op, Errno: errnoOf(err)}
	var en syscall.Errno
	if !errors.As(err, &en) {
		oe.Err = err
	}
	w.last = oe
	w.k.Post(w.s, w.failureEv, oe.Op, int(oe.Errno), oe.Text(), w.idBox)
}

// onConnect checks SO_ERROR once the socket is writable, then hands the
// socket over or reports the failure.
func (w *SocketFactory) onConnect(*kernel.Event) any {
	if w.closed || !w.connecting {
		return nil
	}
	w.connecting, w.watching = false, false
	w.k.SelectWrite(w.fd, "")
	soerr, err := unix.GetsockoptInt(w.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && soerr != 0 {
		err = syscall.Errno(soerr)
	}
	if err != nil {
		unix.Close(w.fd)
		w.fd = -1
		w.fail(w.failureEv, &OpError{Op: "connect", Errno: errnoOf(err)})
		return nil
	}
	peer, err := unix.Getpeername(w.fd)
	if err != nil {
		unix.Close(w.fd)
		w.fd = -1
		w.fail(w.failureEv, &OpError{Op: "getpeername", Errno: errnoOf(err)})
		return nil
	}
	w.tune(w.fd)
	addr, port := peerOf(peer)
	w.k.Call(w.s, w.successEv, w.release1(), addr, port, w.idBox)
	return nil
}

// release1 gives the wheel's socket away: it becomes the user's. Its
// address is kept for GetSockName, which in POE still answers after
// SuccessEvent (the wheel keeps a reference to the handle).
func (w *SocketFactory) release1() int {
	fd := w.fd
	w.local, _ = unix.Getsockname(fd)
	w.fd = -1
	return fd
}

// onAccept takes one connection; EAGAIN and ECONNABORTED are ignored,
// as in POE.
func (w *SocketFactory) onAccept(*kernel.Event) any {
	if w.closed || !w.watching {
		return nil
	}
	nfd, sa, err := acceptNB(w.fd)
	if err != nil {
		switch err {
		case unix.EAGAIN, unix.ECONNABORTED, unix.EINTR, unix.ESPIPE:
			return nil
		}
		w.fail(w.failureEv, &OpError{Op: "accept", Errno: errnoOf(err)})
		return nil
	}
	w.tune(nfd)
	addr, port := peerOf(sa)
	if addr == nil && w.domain == unix.AF_UNIX {
		addr = "" // an unnamed peer
	}
	w.k.Call(w.s, w.successEv, nfd, addr, port, w.idBox)
	return nil
}

// tune sets TCP_NODELAY on TCP sockets unless Nagle was asked for.
func (w *SocketFactory) tune(fd int) {
	if !w.nagle && w.typ == unix.SOCK_STREAM && w.domain != unix.AF_UNIX {
		setNoDelay(fd)
	}
}

// Event is POE's event method: it renames SuccessEvent and FailureEvent,
// given as name, state pairs. An empty name is refused and the old one
// kept, as POE ignores undef: both events are required. Unlike POE 1.370,
// whose event method selects the socket again and so resumes a paused
// accept, Event leaves PauseAccept in force.
func (w *SocketFactory) Event(pairs ...string) error {
	return renameEvents("SocketFactory", pairs,
		eventParam{"SuccessEvent", &w.successEv, true}, eventParam{"FailureEvent", &w.failureEv, true})
}

// GetSockName is POE's getsockname: the local address of the wheel's
// socket, a *net.TCPAddr, *net.UDPAddr or *net.UnixAddr, also once the
// socket was handed to SuccessEvent. It is how a wheel bound to port 0
// learns its port. A closed wheel, or one whose socket could not be
// made, returns EBADF.
func (w *SocketFactory) GetSockName() (net.Addr, error) {
	if w.fd < 0 {
		if w.local != nil && !w.closed {
			return netAddr(w.local, w.typ), nil
		}
		return nil, syscall.EBADF
	}
	sa, err := unix.Getsockname(w.fd)
	if err != nil {
		return nil, err
	}
	return netAddr(sa, w.typ), nil
}

// PauseAccept is POE's pause_accept: a listening wheel stops accepting
// (connections wait in the backlog).
func (w *SocketFactory) PauseAccept() {
	if w.watching && !w.connecting {
		w.k.SelectPauseRead(w.fd)
	}
}

// ResumeAccept is POE's resume_accept.
func (w *SocketFactory) ResumeAccept() {
	if w.watching && !w.connecting {
		w.k.SelectResumeRead(w.fd)
	}
}

// Close is POE's deletion of the wheel: it stops listening or connecting
// and closes the wheel's socket (a socket already given to SuccessEvent
// is the user's and stays open).
func (w *SocketFactory) Close() {
	w.closeVia(func() {
		if w.watching {
			if w.connecting {
				w.k.SelectWrite(w.fd, "")
			} else {
				w.k.SelectRead(w.fd, "")
			}
			w.watching = false
		}
		if w.fd >= 0 {
			unix.Close(w.fd)
			w.fd = -1
		}
	})
}
