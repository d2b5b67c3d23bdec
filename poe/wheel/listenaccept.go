package wheel

import (
	"errors"

	"github.com/poe-go/poe/poe/kernel"
	"golang.org/x/sys/unix"
)

// ListenAcceptOptions are POE::Wheel::ListenAccept's parameters.
type ListenAcceptOptions struct {
	// Handle is a socket already listening (Handle).
	Handle int
	// AcceptEvent receives each connection: ARG0 the new descriptor
	// (nonblocking, close-on-exec, the user's), ARG1 the peer's address
	// as a net.Addr (*net.TCPAddr or *net.UnixAddr) where POE passes the
	// packed sockaddr, ARG2 the wheel ID. Required.
	AcceptEvent string
	// ErrorEvent receives accept failures: ("accept", errno, text, wheel
	// ID). EAGAIN and ECONNABORTED are not failures.
	ErrorEvent string
	// Nagle leaves Nagle's algorithm on; by default accepted TCP sockets
	// get TCP_NODELAY, as with SocketFactory.
	Nagle bool
	// KeepOpen leaves the listening socket open on Close.
	KeepOpen bool
}

// ListenAccept is POE::Wheel::ListenAccept: it accepts connections on a
// socket that is already listening.
type ListenAccept struct {
	base
	fd       int
	typ      int
	tcp      bool
	acceptEv string
	errorEv  string
	nagle    bool
	keepOpen bool
	watching bool
}

// NewListenAccept is POE::Wheel::ListenAccept->new, called from a handler
// of the session that will own the wheel.
func NewListenAccept(e *kernel.Event, o ListenAcceptOptions) (*ListenAccept, error) {
	if o.AcceptEvent == "" {
		return nil, errors.New("wheel.ListenAccept: AcceptEvent is required")
	}
	w := &ListenAccept{fd: o.Handle, acceptEv: o.AcceptEvent, errorEv: o.ErrorEvent, nagle: o.Nagle, keepOpen: o.KeepOpen}
	typ, err := unix.GetsockoptInt(o.Handle, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return nil, err
	}
	w.typ = typ
	if sa, err := unix.Getsockname(o.Handle); err == nil {
		switch sa.(type) {
		case *unix.SockaddrInet4, *unix.SockaddrInet6:
			w.tcp = typ == unix.SOCK_STREAM
		}
	}
	if err := w.init(e, "ListenAccept"); err != nil {
		return nil, err
	}
	if err := w.k.SelectRead(w.fd, w.state("select accept", w.onAccept)); err != nil {
		w.Close()
		return nil, err
	}
	w.watching = true
	return w, nil
}

func (w *ListenAccept) onAccept(*kernel.Event) any {
	if w.closed || !w.watching {
		return nil
	}
	nfd, sa, err := acceptNB(w.fd)
	if err != nil {
		switch err {
		case unix.EAGAIN, unix.ECONNABORTED, unix.EINTR:
			return nil
		}
		w.fail(w.errorEv, &OpError{Op: "accept", Errno: errnoOf(err)})
		return nil
	}
	if w.tcp && !w.nagle {
		setNoDelay(nfd)
	}
	w.k.Call(w.s, w.acceptEv, nfd, netAddr(sa, w.typ), w.idBox)
	return nil
}

// Event is POE's event method: it renames AcceptEvent and ErrorEvent,
// given as name, state pairs; an empty ErrorEvent disables it. An empty
// AcceptEvent is refused and the old one kept, as POE ignores an undef
// one: the accepted sockets would have no one to close them.
func (w *ListenAccept) Event(pairs ...string) error {
	return renameEvents("ListenAccept", pairs,
		eventParam{"AcceptEvent", &w.acceptEv, true}, eventParam{"ErrorEvent", &w.errorEv, false})
}

// PauseAccept stops accepting; connections wait in the backlog. (POE
// 1.370's ListenAccept has no such method; SocketFactory's is mirrored.)
func (w *ListenAccept) PauseAccept() {
	if w.watching {
		w.k.SelectPauseRead(w.fd)
	}
}

// ResumeAccept resumes accepting after PauseAccept.
func (w *ListenAccept) ResumeAccept() {
	if w.watching {
		w.k.SelectResumeRead(w.fd)
	}
}

// Close is POE's deletion of the wheel: it stops accepting and, unless
// KeepOpen was given, closes the listening socket.
func (w *ListenAccept) Close() {
	w.closeVia(func() {
		if w.watching {
			w.k.SelectRead(w.fd, "")
			w.watching = false
		}
		if !w.keepOpen && w.fd >= 0 {
			unix.Close(w.fd)
		}
		w.fd = -1
	})
}
