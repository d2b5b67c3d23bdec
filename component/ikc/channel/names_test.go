package channel

import (
	"net"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// nameOf is LocalName of the descriptor under c.
func nameOf(t *testing.T, c syscall.Conn) string {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := rc.Control(func(fd uintptr) { name = LocalName(int(fd)) }); err != nil {
		t.Fatal(err)
	}
	return name
}

// connectedPair connects a client to a listener on addr and returns both ends,
// closed when the test ends.
func connectedPair(t *testing.T, network, addr string) (client, server *net.TCPConn) {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s listener on %s: %v", network, addr, err)
	}
	defer l.Close()
	c, err := net.Dial(network, l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// TestLocalName checks the transport name a channel derives from its
// socket (IKC's Channel.pm, from getsockname): "<local ip>:<local port>"
// for a TCP socket, on either end and for IPv6 without brackets, and ""
// for a socket that is not TCP or a descriptor that is no socket.
func TestLocalName(t *testing.T) {
	hostPort := func(a net.Addr) string {
		ta := a.(*net.TCPAddr)
		return ta.IP.String() + ":" + strconv.Itoa(ta.Port)
	}
	tests := []struct {
		name string
		run  func(t *testing.T) (got, want string)
	}{
		{"a TCP client over IPv4 is named by its local address", func(t *testing.T) (string, string) {
			c, _ := connectedPair(t, "tcp4", "127.0.0.1:0")
			return nameOf(t, c), hostPort(c.LocalAddr())
		}},
		{"a TCP server end over IPv4 is named by the listening address", func(t *testing.T) (string, string) {
			_, s := connectedPair(t, "tcp4", "127.0.0.1:0")
			return nameOf(t, s), hostPort(s.LocalAddr())
		}},
		{"a TCP socket over IPv6 is named without brackets", func(t *testing.T) (string, string) {
			c, _ := connectedPair(t, "tcp6", "[::1]:0")
			return nameOf(t, c), "::1:" + strconv.Itoa(c.LocalAddr().(*net.TCPAddr).Port)
		}},
		{"a unix-domain socket has no TCP name", func(t *testing.T) (string, string) {
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fds[0])
			defer unix.Close(fds[1])
			return LocalName(fds[0]), ""
		}},
		{"a UDP socket has no TCP name", func(t *testing.T) (string, string) {
			c, err := net.ListenPacket("udp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			return nameOf(t, c.(*net.UDPConn)), ""
		}},
		{"a descriptor that is not a socket has no name", func(t *testing.T) (string, string) {
			fds := make([]int, 2)
			if err := unix.Pipe(fds); err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fds[0])
			defer unix.Close(fds[1])
			return LocalName(fds[0]), ""
		}},
		{"an invalid descriptor has no name", func(t *testing.T) (string, string) {
			return LocalName(-1), ""
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, want := tc.run(t)
			if got != want {
				t.Errorf("LocalName = %q, want %q", got, want)
			}
		})
	}
}
