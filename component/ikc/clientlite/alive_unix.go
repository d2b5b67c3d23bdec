//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package clientlite

import (
	"net"
	"syscall"
)

// peerClosed reports whether the server has closed conn: a peek that
// finds end-of-file or a socket error, without consuming anything. Perl's
// ClientLite has no such check and loses the first post written into a
// connection the server has closed.
func peerClosed(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK || rerr == syscall.EINTR:
		case rerr != nil, n == 0:
			closed = true
		}
		return true
	})
	return closed || err != nil
}
