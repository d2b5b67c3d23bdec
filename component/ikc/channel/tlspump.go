package channel

import (
	"crypto/tls"
	"crypto/x509"
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
// is done, offers a plain socket carrying the decrypted stream, ready to be
// a channel's Handle.
//
// The kernel's loop reads and writes raw non-blocking descriptors, while
// crypto/tls works on a net.Conn; the two meet through a socketpair. The
// socket is wrapped in a net.Conn (on a duplicate of fd), the handshake runs
// on it, and then the plaintext is copied between the tls.Conn and one end
// of a unix socketpair; the other end is the channel's. A TLS connection
// therefore costs, besides its socket, a socketpair (two descriptors) and
// the goroutines that copy each direction (tls.Conn blocks, so one copier
// per direction), and every octet is copied once more than on a plain
// connection. When either side closes, the pump closes the other.
//
// StartTLS owns fd from the call on. The handshake is bounded by timeout
// (DefaultNegotiationTimeout when zero; negative disables the bound).
// ready is called once, from another goroutine, when the outcome is known;
// it should hand the *TLSHandshake to the loop (a post), where Take gets
// the channel's end of the socketpair or the error. An owner that goes
// away first calls Abandon, which closes whatever was not taken.
func StartTLS(fd int, cfg *tls.Config, role Role, timeout time.Duration, ready func(*TLSHandshake)) *TLSHandshake {
	h := &TLSHandshake{fd: -1}
	go h.run(fd, cfg, role, timeout, ready)
	return h
}

// TLSHandshake is one TLS connection's hand-over between the pump and the
// loop. Its methods are goroutine-safe.
type TLSHandshake struct {
	mu        sync.Mutex
	fd        int
	err       error
	abandoned bool
	nc        net.Conn // while handshaking
	pumpErr   error    // why the TLS side failed after the handshake
}

// Err is why the TLS side of the connection failed after the handshake
// (an alert from the peer, such as a refused certificate, or a bad
// record), or nil while it has not or when it ended normally. The channel
// only sees its socket closed; this is the reason.
func (h *TLSHandshake) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pumpErr
}

// WrapOnError returns onError with Err, when there is one, added to the
// text; nil stays nil.
func (h *TLSHandshake) WrapOnError(onError func(op string, errno int, text string)) func(op string, errno int, text string) {
	if onError == nil {
		return nil
	}
	return func(op string, errno int, text string) {
		if err := h.Err(); err != nil {
			if text != "" {
				text += ": "
			}
			text += err.Error()
		}
		onError(op, errno, text)
	}
}

func (h *TLSHandshake) failed(err error) {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return
	}
	h.mu.Lock()
	if h.pumpErr == nil {
		h.pumpErr = fmt.Errorf("TLS: %w", err)
	}
	h.mu.Unlock()
}

// Take returns the channel's socket, which the caller owns from now on, or
// -1 and why the handshake failed (also -1 when it is not over yet, or was
// taken or abandoned).
func (h *TLSHandshake) Take() (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fd, err := h.fd, h.err
	h.fd = -1
	if fd < 0 && err == nil {
		err = errors.New("TLS connection no longer available")
	}
	return fd, err
}

// Abandon closes the connection unless its socket was taken: a handshake
// in progress is cut short, and a finished one's socketpair is closed,
// which ends the pump.
func (h *TLSHandshake) Abandon() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.abandoned = true
	if h.nc != nil {
		h.nc.Close()
	}
	if h.fd >= 0 {
		syscall.Close(h.fd)
		h.fd = -1
	}
}

func (h *TLSHandshake) finish(fd int, err error, ready func(*TLSHandshake)) bool {
	h.mu.Lock()
	h.nc = nil
	if h.abandoned {
		h.mu.Unlock()
		if fd >= 0 {
			syscall.Close(fd)
		}
		return false
	}
	h.fd, h.err = fd, err
	h.mu.Unlock()
	ready(h)
	return true
}

func (h *TLSHandshake) run(fd int, cfg *tls.Config, role Role, timeout time.Duration, ready func(*TLSHandshake)) {
	nc, err := fdConn(fd, "ikc-tls")
	if err != nil {
		h.finish(-1, fmt.Errorf("TLS: %w", err), ready)
		return
	}
	h.mu.Lock()
	h.nc = nc
	abandoned := h.abandoned
	h.mu.Unlock()
	if abandoned {
		nc.Close()
		h.finish(-1, errors.New("TLS: abandoned"), ready)
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
		h.finish(-1, err, ready)
		return
	}
	nc.SetDeadline(time.Time{})
	pair, err := socketpair()
	if err != nil {
		tc.Close()
		h.finish(-1, fmt.Errorf("TLS: socketpair: %w", err), ready)
		return
	}
	if err := unix.SetNonblock(pair[0], true); err != nil {
		unix.Close(pair[0])
		unix.Close(pair[1])
		tc.Close()
		h.finish(-1, fmt.Errorf("TLS: %w", err), ready)
		return
	}
	pc, err := fdConn(pair[1], "ikc-tls-pump")
	if err != nil {
		unix.Close(pair[0])
		tc.Close()
		h.finish(-1, fmt.Errorf("TLS: %w", err), ready)
		return
	}
	if !h.finish(pair[0], nil, ready) {
		pc.Close()
		tc.Close()
		return
	}

	var once sync.Once
	closeAll := func() {
		once.Do(func() {
			pc.Close()
			tc.Close()
		})
	}
	go func() {
		_, err := io.Copy(tc, pc) // the channel's output to the peer
		h.failed(err)
		closeAll()
	}()
	_, err = io.Copy(pc, tc) // the peer's input to the channel
	h.failed(err)
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

// socketpair makes a close-on-exec stream socketpair on every system:
// SOCK_CLOEXEC is not everywhere, so the flag is set under ForkLock, as
// the standard library does, so that no child process started meanwhile
// inherits the pair.
func socketpair() ([2]int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return pair, err
	}
	unix.CloseOnExec(pair[0])
	unix.CloseOnExec(pair[1])
	return pair, nil
}

// CertPool reads the PEM certificates of file into a pool, for the TLS
// options of Server and Client (a CA to verify the other end with).
func CertPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("no certificate in " + file)
	}
	return pool, nil
}
