package channel

import (
	"net"
	"regexp"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/serial/freezethaw"
	"github.com/poe-go/poe/poe/serial/msgpack"
	"github.com/poe-go/poe/poe/serial/storable"
)

// DefaultSerializers is the serializer preference of Go servers and clients:
// msgpack first, which Go peers pick and Perl peers refuse, then Storable,
// which every Perl IKC kernel speaks, then FreezeThaw, for a Perl peer
// configured to speak nothing else.
var DefaultSerializers = []string{msgpack.Name, storable.Name, freezethaw.Name}

var unsafeRun = regexp.MustCompile(`[^-:.\w]+`)

// UnixName is the transport name of a unix-domain socket path (spec 3.2):
// "unix:" and the path with every run of characters outside [-:.\w]
// replaced by one "_".
func UnixName(path string) string {
	return "unix:" + unsafeRun.ReplaceAllString(path, "_")
}

// HostPort is the "<ip>:<port>" form IKC uses for TCP names (no brackets
// around IPv6 addresses, as Perl prints them).
func HostPort(ip net.IP, port int) string {
	return ip.String() + ":" + strconv.Itoa(port)
}

// LocalName is the transport name of a connected TCP socket (spec 3.2):
// "<local ip>:<local port>", or "" when it is not a TCP socket.
func LocalName(fd int) string {
	// An inet address alone does not make a TCP socket: a UDP socket has
	// one too.
	if typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err != nil || typ != unix.SOCK_STREAM {
		return ""
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return ""
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return HostPort(net.IP(a.Addr[:]), a.Port)
	case *unix.SockaddrInet6:
		return HostPort(net.IP(a.Addr[:]), a.Port)
	}
	return ""
}
