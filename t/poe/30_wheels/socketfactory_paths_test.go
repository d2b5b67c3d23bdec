package wheels_test

import (
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestSocketFactoryConnectFails holds the FailureEvent of a connect that
// cannot succeed, as Perl POE 1.370 gives it: ("connect", errno, text,
// ID), delivered after the constructor returned, whether connect(2)
// failed at once (a missing unix socket path) or later (a refused TCP
// connection, reported when the socket becomes writable).
func TestSocketFactoryConnectFails(t *testing.T) {
	cases := []struct {
		name  string
		o     func(t *testing.T) wheel.SocketFactoryOptions
		errno syscall.Errno
	}{
		{"a refused TCP connection", func(t *testing.T) wheel.SocketFactoryOptions {
			return wheel.SocketFactoryOptions{RemoteAddress: "127.0.0.1", RemotePort: closedPort(t)}
		}, syscall.ECONNREFUSED},
		{"a unix socket path that does not exist", func(t *testing.T) wheel.SocketFactoryOptions {
			return wheel.SocketFactoryOptions{SocketDomain: unix.AF_UNIX, RemoteAddress: filepath.Join(t.TempDir(), "none")}
		}, syscall.ENOENT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			got, id := socketFactoryFailure(t, c.o(t))
			want := []any{"connect", int(c.errno), c.errno.Error(), id}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("FailureEvent %#v, want %#v", got, want)
			}
		})
	}
}

// TestSocketFactoryConnectLater holds a TCP connect that completes after
// the constructor returned (the nonblocking connect is in progress): the
// wheel's socket already has its local address, which GetSockName gives
// before and after SuccessEvent, as in POE; SuccessEvent gets the socket,
// the listener's address and port, and the wheel ID; and the server sees
// the wheel's local address as its peer.
func TestSocketFactoryConnectLater(t *testing.T) {
	checkFds(t)
	l, port := listenLoopback(t)
	accepted := make(chan net.Addr, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c.RemoteAddr()
		c.Close()
	}()
	var w *wheel.SocketFactory
	var local, after net.Addr
	var args []any
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{RemoteAddress: "127.0.0.1", RemotePort: port,
				SuccessEvent: "ok", FailureEvent: "fail"})
			var err error
			if local, err = w.GetSockName(); err != nil {
				t.Errorf("GetSockName while connecting: %v", err)
			}
			return nil
		},
		"ok": func(e *kernel.Event) any {
			args = append([]any(nil), e.Args...)
			after, _ = w.GetSockName()
			unix.Close(e.ArgInt(0))
			w.Close()
			if _, err := w.GetSockName(); err == nil {
				t.Error("GetSockName of a closed wheel gave no error")
			}
			return nil
		},
		"fail": func(e *kernel.Event) any { t.Errorf("FailureEvent %v", e.Args); w.Close(); return nil },
	})
	if len(args) != 4 || args[2] != port || args[3] != w.ID() {
		t.Fatalf("SuccessEvent %#v, want fd, 127.0.0.1, %d, ID", args, port)
	}
	if ip, ok := args[1].(net.IP); !ok || !ip.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("SuccessEvent ARG1 %#v, want net.IP 127.0.0.1", args[1])
	}
	peer := <-accepted
	if la, ok := local.(*net.TCPAddr); !ok || peer == nil || la.String() != peer.String() {
		t.Errorf("GetSockName while connecting %v; the server saw %v", local, peer)
	}
	if after == nil || local == nil || after.String() != local.String() {
		t.Errorf("GetSockName after SuccessEvent %v, want %v", after, local)
	}
}

// TestSocketFactoryAcceptMany holds accepting many connections that are
// all pending at once: each reaches SuccessEvent with its own peer port,
// the one the client's socket has.
func TestSocketFactoryAcceptMany(t *testing.T) {
	checkFds(t)
	const n = 16
	var server *wheel.SocketFactory
	var clients []int
	var want, got []int
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			server, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{BindAddress: "127.0.0.1",
				SuccessEvent: "accepted", FailureEvent: "fail"})
			sn, err := server.GetSockName()
			if err != nil {
				t.Fatal(err)
			}
			addr := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: sn.(*net.TCPAddr).Port}
			// Every client connects before the wheel accepts any.
			for range n {
				fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
				if err != nil {
					t.Fatal(err)
				}
				clients = append(clients, fd)
				if err := unix.Connect(fd, addr); err != nil {
					t.Fatal(err)
				}
				sa, _ := unix.Getsockname(fd)
				want = append(want, sa.(*unix.SockaddrInet4).Port)
			}
			return nil
		},
		"accepted": func(e *kernel.Event) any {
			got = append(got, e.ArgInt(2))
			unix.Close(e.ArgInt(0))
			if len(got) == n {
				server.Close()
			}
			return nil
		},
		"fail": func(e *kernel.Event) any { t.Errorf("FailureEvent %v", e.Args); server.Close(); return nil },
	})
	for _, fd := range clients {
		unix.Close(fd)
	}
	sort.Ints(want)
	sort.Ints(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("accepted peers on ports %v, want %v", got, want)
	}
}

// TestSocketFactoryUnixPath holds unix-domain sockets as Perl POE 1.370
// gives them: the listener is bound to the path (GetSockName gives it);
// a connecting wheel's SuccessEvent gets the path as the peer, the
// listener's gets "" for the unnamed client (POE: an empty path); the
// path is left behind when the listener is closed, so binding it again
// fails with FailureEvent ("bind", EADDRINUSE).
func TestSocketFactoryUnixPath(t *testing.T) {
	checkFds(t)
	path := filepath.Join(t.TempDir(), "sock")
	var server, client, again *wheel.SocketFactory
	var sockName net.Addr
	var got []string
	var bindFail []any
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			server, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{SocketDomain: unix.AF_UNIX, BindAddress: path,
				SuccessEvent: "accepted", FailureEvent: "fail"})
			sockName, _ = server.GetSockName()
			client, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{SocketDomain: unix.AF_UNIX, RemoteAddress: path,
				SuccessEvent: "connected", FailureEvent: "fail"})
			return nil
		},
		"accepted": func(e *kernel.Event) any {
			got = append(got, "accepted peer "+e.ArgString(1)+" port "+itoa(int64(e.ArgInt(2))))
			unix.Close(e.ArgInt(0))
			server.Close()
			if _, err := os.Stat(path); err != nil {
				t.Errorf("the socket path is gone after Close: %v", err)
			}
			again, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{SocketDomain: unix.AF_UNIX, BindAddress: path,
				SuccessEvent: "accepted", FailureEvent: "bind_fail"})
			return nil
		},
		"connected": func(e *kernel.Event) any {
			got = append(got, "connected peer "+e.ArgString(1)+" port "+itoa(int64(e.ArgInt(2))))
			unix.Close(e.ArgInt(0))
			client.Close()
			return nil
		},
		"bind_fail": func(e *kernel.Event) any {
			bindFail = append([]any(nil), e.Args...)
			again.Close()
			return nil
		},
		"fail": func(e *kernel.Event) any {
			t.Errorf("FailureEvent %v", e.Args)
			server.Close()
			client.Close()
			return nil
		},
	})
	if ua, ok := sockName.(*net.UnixAddr); !ok || ua.Name != path || ua.Net != "unix" {
		t.Errorf("GetSockName %#v, want the unix address %s", sockName, path)
	}
	sort.Strings(got)
	if want := []string{"accepted peer  port 0", "connected peer " + path + " port 0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if want := []any{"bind", int(syscall.EADDRINUSE), syscall.EADDRINUSE.Error(), again.ID()}; !reflect.DeepEqual(bindFail, want) {
		t.Errorf("binding the path again: FailureEvent %#v, want %#v", bindFail, want)
	}
}

// TestSocketFactoryUDPSockName holds UDP sockets as Perl POE 1.370 gives
// them: a bound one is handed over at once with no peer, a connected one
// once connected with its peer's address and port, and GetSockName
// gives the socket's *net.UDPAddr in both cases, also after the socket
// was handed over (so a wheel bound to port 0 learns its port).
func TestSocketFactoryUDPSockName(t *testing.T) {
	cases := []struct {
		name     string
		o        wheel.SocketFactoryOptions
		peer     any
		peerPort int
	}{
		{"a bound socket", wheel.SocketFactoryOptions{BindAddress: "127.0.0.1"}, nil, 0},
		{"a connected socket", wheel.SocketFactoryOptions{RemoteAddress: "127.0.0.1", RemotePort: 9},
			net.IP{127, 0, 0, 1}, 9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			var w *wheel.SocketFactory
			var before, after net.Addr
			var args []any
			o := c.o
			o.SocketProtocol, o.SuccessEvent, o.FailureEvent = "udp", "ok", "fail"
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					w, _ = wheel.NewSocketFactory(e, o)
					var err error
					if before, err = w.GetSockName(); err != nil {
						t.Errorf("GetSockName before SuccessEvent: %v", err)
					}
					return nil
				},
				"ok": func(e *kernel.Event) any {
					args = append([]any(nil), e.Args...)
					var err error
					if after, err = w.GetSockName(); err != nil {
						t.Errorf("GetSockName in SuccessEvent: %v", err)
					}
					sa, _ := unix.Getsockname(e.ArgInt(0))
					if p := sa.(*unix.SockaddrInet4).Port; after == nil || after.(*net.UDPAddr).Port != p {
						t.Errorf("GetSockName %v, but the socket is on port %d", after, p)
					}
					unix.Close(e.ArgInt(0))
					w.Close()
					return nil
				},
				"fail": func(e *kernel.Event) any { t.Errorf("FailureEvent %v", e.Args); w.Close(); return nil },
			})
			if len(args) != 4 || !reflect.DeepEqual(args[1], c.peer) || args[2] != c.peerPort || args[3] != w.ID() {
				t.Errorf("SuccessEvent %#v, want fd, %v, %d, ID", args, c.peer, c.peerPort)
			}
			for _, a := range []net.Addr{before, after} {
				if ua, ok := a.(*net.UDPAddr); !ok || !ua.IP.Equal(net.IPv4(127, 0, 0, 1)) || ua.Port == 0 {
					t.Errorf("GetSockName %#v, want a *net.UDPAddr on 127.0.0.1 with a port", a)
				}
			}
		})
	}
}
