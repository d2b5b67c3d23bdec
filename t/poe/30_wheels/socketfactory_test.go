package wheels_test

import (
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestSocketFactoryEcho mirrors POE's t/30_loops wheel_sf_tcp,
// wheel_sf_ipv6 and wheel_sf_unix: a listening SocketFactory on an
// ephemeral port (or a socket path), a connecting one, and a ReadWrite on
// each end echoing lines, all in one session.
func TestSocketFactoryEcho(t *testing.T) {
	cases := []struct {
		name   string
		domain int
		addr   string
	}{
		{"over TCP on IPv4", unix.AF_INET, "127.0.0.1"},
		{"over TCP on IPv6", unix.AF_INET6, "::1"},
		{"over a unix socket", unix.AF_UNIX, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.domain == unix.AF_INET6 {
				l, err := net.Listen("tcp6", "[::1]:0")
				if err != nil {
					t.Skipf("::1 is unavailable: %v", err)
				}
				l.Close()
			}
			if c.domain == unix.AF_UNIX {
				c.addr = filepath.Join(t.TempDir(), "sock")
			}
			checkFds(t)
			echo(t, c.domain, c.addr)
		})
	}
}

func echo(t *testing.T, domain int, addr string) {
	var server, client *wheel.SocketFactory
	var srvRW, cliRW *wheel.ReadWrite
	want := []string{"alpha", "beta", "gamma"}
	var got []string
	var peer any
	var nodelay int = -1
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			server, err = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				SocketDomain: domain, BindAddress: addr, Reuse: true,
				SuccessEvent: "accepted", FailureEvent: "failed",
			})
			if err != nil {
				t.Fatal(err)
			}
			sn, err := server.GetSockName()
			if err != nil {
				t.Fatal(err)
			}
			port := 0
			if ta, ok := sn.(*net.TCPAddr); ok {
				port = ta.Port
				if port == 0 {
					t.Error("GetSockName gave port 0")
				}
			}
			client, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				SocketDomain: domain, RemoteAddress: addr, RemotePort: port,
				SuccessEvent: "connected", FailureEvent: "failed",
			})
			return nil
		},
		"failed": func(e *kernel.Event) any {
			t.Errorf("FailureEvent %v", e.Args)
			server.Close()
			client.Close()
			return nil
		},
		"accepted": func(e *kernel.Event) any {
			peer = e.Arg(1)
			if domain != unix.AF_UNIX {
				nodelay, _ = unix.GetsockoptInt(e.ArgInt(0), unix.IPPROTO_TCP, unix.TCP_NODELAY)
			}
			if e.Arg(3) != server.ID() {
				t.Errorf("SuccessEvent ARG3 %v, want the wheel ID", e.Arg(3))
			}
			server.Close() // one connection is enough
			srvRW, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: e.ArgInt(0), InputEvent: "srv_in", ErrorEvent: "srv_err"})
			return nil
		},
		"srv_in":  func(e *kernel.Event) any { srvRW.Put(e.Arg(0)); return nil },
		"srv_err": func(e *kernel.Event) any { srvRW.Close(); return nil },
		"connected": func(e *kernel.Event) any {
			client.Close()
			cliRW, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: e.ArgInt(0), InputEvent: "cli_in"})
			for _, l := range want {
				cliRW.Put(l)
			}
			return nil
		},
		"cli_in": func(e *kernel.Event) any {
			got = append(got, e.ArgString(0))
			if len(got) == len(want) {
				cliRW.Close()
			}
			return nil
		},
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("echoed %q, want %q", got, want)
	}
	switch domain {
	case unix.AF_INET:
		if ip, ok := peer.(net.IP); !ok || !ip.Equal(net.IPv4(127, 0, 0, 1)) || len(ip) != 4 {
			t.Errorf("peer address %#v, want the 4-octet net.IP 127.0.0.1", peer)
		}
	case unix.AF_INET6:
		if ip, ok := peer.(net.IP); !ok || !ip.Equal(net.IPv6loopback) {
			t.Errorf("peer address %#v, want net.IP ::1", peer)
		}
	case unix.AF_UNIX:
		if _, ok := peer.(string); !ok {
			t.Errorf("peer address %#v, want a string", peer)
		}
	}
	if domain != unix.AF_UNIX && nodelay != 1 {
		t.Errorf("TCP_NODELAY on the accepted socket is %d, want 1", nodelay)
	}
}

// TestSocketFactoryTimeout mirrors POE's t/90_regression
// socketfactory-timeout.t: connecting to port 0 reports a FailureEvent
// instead of hanging.
func TestSocketFactoryTimeout(t *testing.T) {
	checkFds(t)
	args, id := socketFactoryFailure(t, wheel.SocketFactoryOptions{RemoteAddress: "127.0.0.1", RemotePort: 0})
	if len(args) != 4 || args[0] != "connect" || args[1] == 0 || args[3] != id {
		t.Errorf("FailureEvent args %#v, want connect, errno, text, id", args)
	}
}

// TestSocketFactorySetupFailures checks that setup failures are posted as
// FailureEvent with POE's operation names.
func TestSocketFactorySetupFailures(t *testing.T) {
	checkFds(t)
	// A port in use, without Reuse, fails to bind.
	_, port := listenLoopback(t)
	cases := []struct {
		o      wheel.SocketFactoryOptions
		op     string
		errno  syscall.Errno
		called bool
	}{
		{wheel.SocketFactoryOptions{BindAddress: "127.0.0.1", BindPort: port}, "bind", syscall.EADDRINUSE, false},
		{wheel.SocketFactoryOptions{SocketDomain: 12345}, "socket", syscall.EAFNOSUPPORT, false},
		{wheel.SocketFactoryOptions{SocketProtocol: "sctp"}, "getprotobyname", syscall.EPROTONOSUPPORT, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s fails", c.op), func(t *testing.T) {
			got, _ := socketFactoryFailure(t, c.o)
			if len(got) != 4 || got[0] != c.op || got[1] != int(c.errno) {
				t.Errorf("FailureEvent %#v, want %s %v", got, c.op, c.errno)
			}
		})
	}
}

// TestListenAccept mirrors POE's t/30_loops wheel_accept: a ListenAccept
// on a socket listening already hands over a connection with its peer
// address.
func TestListenAccept(t *testing.T) {
	checkFds(t)
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(lfd, 8); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(lfd)
	port := sa.(*unix.SockaddrInet4).Port
	var la *wheel.ListenAccept
	var peer any
	var cfd = -1
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			la, err = wheel.NewListenAccept(e, wheel.ListenAcceptOptions{Handle: lfd, AcceptEvent: "acc", ErrorEvent: "err"})
			if err != nil {
				t.Fatal(err)
			}
			cfd, _ = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err := unix.Connect(cfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}); err != nil {
				t.Fatal(err)
			}
			return nil
		},
		"acc": func(e *kernel.Event) any {
			peer = e.Arg(1)
			if e.Arg(2) != la.ID() {
				t.Errorf("AcceptEvent ARG2 %v, want the wheel ID", e.Arg(2))
			}
			unix.Close(e.ArgInt(0))
			la.Close()
			return nil
		},
		"err": func(e *kernel.Event) any { t.Errorf("ErrorEvent %v", e.Args); la.Close(); return nil },
	})
	local, _ := unix.Getsockname(cfd)
	unix.Close(cfd)
	if ta, ok := peer.(*net.TCPAddr); !ok || !ta.IP.Equal(net.IPv4(127, 0, 0, 1)) || ta.Port != local.(*unix.SockaddrInet4).Port {
		t.Errorf("peer %#v, want the client's address %v", peer, local)
	}
}

// TestSocketFactoryUDP checks the datagram case: a bound UDP socket is
// handed over at once, with no peer.
func TestSocketFactoryUDP(t *testing.T) {
	checkFds(t)
	var w *wheel.SocketFactory
	var args []any
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				SocketProtocol: "udp", BindAddress: "127.0.0.1",
				SuccessEvent: "ok", FailureEvent: "fail",
			})
			return nil
		},
		"ok": func(e *kernel.Event) any {
			args = append([]any(nil), e.Args...)
			typ, _ := unix.GetsockoptInt(e.ArgInt(0), unix.SOL_SOCKET, unix.SO_TYPE)
			if typ != unix.SOCK_DGRAM {
				t.Errorf("socket type %d, want SOCK_DGRAM", typ)
			}
			unix.Close(e.ArgInt(0))
			w.Close()
			return nil
		},
		"fail": func(e *kernel.Event) any { t.Errorf("FailureEvent %v", e.Args); w.Close(); return nil },
	})
	if len(args) != 4 || args[1] != nil || args[2] != 0 || args[3] != w.ID() {
		t.Errorf("SuccessEvent %#v, want fd, nil, 0, id", args)
	}
}
