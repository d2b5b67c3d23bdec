package channel

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// StartTLS runs TLS over the connected socket fd and, once the handshake
// is done, hands a plain socket carrying the decrypted stream to ready,
// ready to be a channel's Handle.
//
// The kernel's loop reads and writes raw non-blocking descriptors, while
// crypto/tls works on a net.Conn; the two meet through a socketpair. The
// socket is wrapped in a net.Conn (on a duplicate of fd), the handshake runs
// on it, and then the plaintext is copied between the tls.Conn and one end
// of a unix socketpair; the other end goes to ready. A TLS connection
// therefore costs, besides its socket, a socketpair (two descriptors) and
// the goroutines that copy each direction (tls.Conn blocks, so one copier
// per direction), and every octet is copied once more than on a plain
// connection.
//
// StartTLS owns fd from the call on. ready is called exactly once, from
// another goroutine: with the channel's end of the socketpair, or with -1
// and the error when the handshake fails or takes longer than timeout
// (DefaultNegotiationTimeout when zero; negative disables the bound), in
// which case every descriptor is already closed. ready's caller owns the
// descriptor it gets; when either side closes, the pump closes the other.
func StartTLS(fd int, cfg *tls.Config, role Role, timeout time.Duration, ready func(handle int, err error)) {
	go pumpTLS(fd, cfg, role, timeout, ready)
}

func pumpTLS(fd int, cfg *tls.Config, role Role, timeout time.Duration, ready func(int, error)) {
	nc, err := fdConn(fd, "ikc-tls")
	if err != nil {
		ready(-1, fmt.Errorf("TLS: %w", err))
		return
	}
	var tc *tls.Conn
	if role == ServerRole {
		tc = tls.Server(nc, cfg)
	} else {
		tc = tls.Client(nc, cfg)
	}
	if timeout == 0 {
		timeout = DefaultNegotiationTimeout
	}
	if timeout > 0 {
		nc.SetDeadline(time.Now().Add(timeout))
	}
	if err := tc.Handshake(); err != nil {
		nc.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			err = fmt.Errorf("TLS handshake did not finish within %s", timeout)
		} else {
			err = fmt.Errorf("TLS handshake: %w", err)
		}
		ready(-1, err)
		return
	}
	nc.SetDeadline(time.Time{})
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tc.Close()
		ready(-1, fmt.Errorf("TLS: socketpair: %w", err))
		return
	}
	if err := unix.SetNonblock(pair[0], true); err != nil {
		unix.Close(pair[0])
		unix.Close(pair[1])
		tc.Close()
		ready(-1, fmt.Errorf("TLS: %w", err))
		return
	}
	pc, err := fdConn(pair[1], "ikc-tls-pump")
	if err != nil {
		unix.Close(pair[0])
		tc.Close()
		ready(-1, fmt.Errorf("TLS: %w", err))
		return
	}
	ready(pair[0], nil)

	var once sync.Once
	closeAll := func() {
		once.Do(func() {
			pc.Close()
			tc.Close()
		})
	}
	go func() {
		io.Copy(tc, pc) // the channel's output to the peer
		closeAll()
	}()
	io.Copy(pc, tc) // the peer's input to the channel
	closeAll()
}

// fdConn turns fd into a net.Conn, closing fd (net.FileConn works on a
// duplicate).
func fdConn(fd int, name string) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), name)
	if f == nil {
		syscall.Close(fd)
		return nil, errors.New("bad descriptor")
	}
	c, err := net.FileConn(f)
	f.Close()
	return c, err
}
