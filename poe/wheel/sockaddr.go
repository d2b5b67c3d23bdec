package wheel

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// sockaddr builds the address to bind to or connect to: a dotted quad,
// an IPv6 literal or a host name (resolved with a blocking lookup, as
// POE's inet_aton) for INET, the socket path for unix. An empty INET host
// is the wildcard address. On failure it returns POE's operation name and
// the error.
func sockaddr(domain int, host string, port int) (unix.Sockaddr, string, error) {
	switch domain {
	case unix.AF_UNIX:
		return &unix.SockaddrUnix{Name: host}, "", nil
	case unix.AF_INET, unix.AF_INET6:
	default:
		return nil, "domain", syscall.EAFNOSUPPORT
	}
	if port < 0 || port > 65535 {
		return nil, "getservbyname", syscall.EINVAL
	}
	ip, err := lookup(domain, host)
	if err != nil {
		// POE resolves IPv4 with inet_aton and IPv6 with getaddrinfo, and
		// names the failure after the one it used.
		if domain == unix.AF_INET6 {
			return nil, "getaddrinfo", err
		}
		return nil, "inet_aton", err
	}
	if domain == unix.AF_INET {
		sa := &unix.SockaddrInet4{Port: port}
		copy(sa.Addr[:], ip.To4())
		return sa, "", nil
	}
	sa := &unix.SockaddrInet6{Port: port}
	copy(sa.Addr[:], ip.To16())
	return sa, "", nil
}

// lookup resolves host for domain. Every failure is EADDRNOTAVAIL, the
// errno POE sets when inet_aton or getaddrinfo finds no address, so
// FailureEvent gets the same ARG1 and ARG2 as in POE.
func lookup(domain int, host string) (net.IP, error) {
	if host == "" {
		if domain == unix.AF_INET {
			return net.IPv4zero, nil
		}
		return net.IPv6unspecified, nil
	}
	if ip := net.ParseIP(host); ip != nil {
		if domain == unix.AF_INET && ip.To4() == nil {
			return nil, syscall.EADDRNOTAVAIL
		}
		return ip, nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return nil, syscall.EADDRNOTAVAIL
	}
	for _, ip := range ips {
		if (ip.To4() != nil) == (domain == unix.AF_INET) {
			return ip, nil
		}
	}
	return nil, syscall.EADDRNOTAVAIL
}

// peerOf turns a peer's sockaddr into SuccessEvent's ARG1 and ARG2: a
// net.IP (4 octets for IPv4, 16 for IPv6) and the port, or the path as a
// string (possibly "") and 0 for unix sockets.
func peerOf(sa unix.Sockaddr) (any, int) {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return net.IP(append([]byte(nil), a.Addr[:]...)), a.Port
	case *unix.SockaddrInet6:
		return net.IP(append([]byte(nil), a.Addr[:]...)), a.Port
	case *unix.SockaddrUnix:
		if a.Name == "@" {
			// x/sys/unix writes an unnamed socket's empty path as "@"
			// (its mark for abstract names); POE gives "".
			return "", 0
		}
		return a.Name, 0
	}
	return nil, 0
}

// netAddr turns a sockaddr into the matching net.Addr for a socket of
// type typ (SOCK_STREAM or SOCK_DGRAM).
func netAddr(sa unix.Sockaddr, typ int) net.Addr {
	ip, port := peerOf(sa)
	switch a := ip.(type) {
	case net.IP:
		if typ == unix.SOCK_DGRAM {
			return &net.UDPAddr{IP: a, Port: port}
		}
		return &net.TCPAddr{IP: a, Port: port}
	case string:
		if typ == unix.SOCK_DGRAM {
			return &net.UnixAddr{Name: a, Net: "unixgram"}
		}
		return &net.UnixAddr{Name: a, Net: "unix"}
	}
	return nil
}

// setNoDelay turns Nagle's algorithm off on a TCP socket.
func setNoDelay(fd int) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
}
