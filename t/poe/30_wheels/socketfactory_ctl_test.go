package wheels_test

import (
	"net"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// unresolvable is a host name no resolver can answer for, and which is
// refused before any query is sent: it is not a valid domain name.
const unresolvable = "no such host..invalid"

// TestSocketFactoryEvent holds SocketFactory's event method as POE
// 1.370's: a renamed SuccessEvent takes the next connection, a renamed
// FailureEvent the next failure, and an empty name for either is refused
// with the old one kept (POE ignores undef, with a warning). Unknown names
// and an odd argument count are errors.
func TestSocketFactoryEvent(t *testing.T) {
	checkFds(t)
	path := filepath.Join(t.TempDir(), "sock")
	refused := closedPort(t)
	var server, client *wheel.SocketFactory
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			server, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				SocketDomain: unix.AF_UNIX, BindAddress: path,
				SuccessEvent: "accepted", FailureEvent: "failed",
			})
			checkEventRefused(t, server, []string{"SuccessEvent"}, []string{"SuccessEvent", ""}, []string{"FailureEvent", ""}, []string{"AcceptEvent", "x"})
			dialUnix(t, path)
			dialUnix(t, path)
			return nil
		},
		"accepted": func(e *kernel.Event) any {
			got = append(got, "accepted")
			unix.Close(e.ArgInt(0))
			if len(got) > 1 {
				t.Error("the old SuccessEvent took a second connection")
				server.Close()
				return nil
			}
			if err := server.Event("SuccessEvent", "accepted2"); err != nil {
				t.Error(err)
			}
			return nil
		},
		"accepted2": func(e *kernel.Event) any {
			got = append(got, "accepted2")
			unix.Close(e.ArgInt(0))
			server.Close()
			client, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				RemoteAddress: "127.0.0.1", RemotePort: refused,
				SuccessEvent: "connected", FailureEvent: "failed",
			})
			if err := client.Event("FailureEvent", "failed2"); err != nil {
				t.Error(err)
			}
			return nil
		},
		"connected": func(e *kernel.Event) any {
			t.Error("connected to a closed port")
			unix.Close(e.ArgInt(0))
			client.Close()
			return nil
		},
		"failed": func(e *kernel.Event) any {
			t.Errorf("the old FailureEvent got %v", e.Args)
			server.Close()
			client.Close()
			return nil
		},
		"failed2": func(e *kernel.Event) any {
			got = append(got, "failed2 "+e.ArgString(0))
			if e.Arg(3) != client.ID() {
				t.Errorf("FailureEvent %v, want the wheel ID last", e.Args)
			}
			client.Close()
			return nil
		},
	})
	want := []string{"accepted", "accepted2", "failed2 connect"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestSocketFactoryHostNames checks that host names are resolved, as POE
// does with inet_aton: a wheel connects to "localhost" and another binds
// to it.
func TestSocketFactoryHostNames(t *testing.T) {
	if ips, err := net.LookupIP("localhost"); err != nil || len(ips) == 0 {
		t.Skipf("localhost does not resolve: %v", err)
	}
	checkFds(t)
	_, port := listenLoopback(t)
	var server, client *wheel.SocketFactory
	var bound net.Addr
	var peer any
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			server, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				BindAddress: "localhost", SuccessEvent: "accepted", FailureEvent: "failed",
			})
			bound, _ = server.GetSockName()
			server.Close()
			client, _ = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				RemoteAddress: "localhost", RemotePort: port,
				SuccessEvent: "connected", FailureEvent: "failed",
			})
			return nil
		},
		"accepted": func(e *kernel.Event) any { t.Error("accepted"); unix.Close(e.ArgInt(0)); return nil },
		"connected": func(e *kernel.Event) any {
			peer = e.Arg(1)
			unix.Close(e.ArgInt(0))
			client.Close()
			return nil
		},
		"failed": func(e *kernel.Event) any { t.Errorf("FailureEvent %v", e.Args); client.Close(); return nil },
	})
	if ta, ok := bound.(*net.TCPAddr); !ok || !ta.IP.Equal(net.IPv4(127, 0, 0, 1)) || ta.Port == 0 {
		t.Errorf("bound to %v, want 127.0.0.1 and a port", bound)
	}
	if ip, ok := peer.(net.IP); !ok || !ip.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("connected to %#v, want 127.0.0.1", peer)
	}
}

// TestSocketFactoryLookupFailures holds the FailureEvent of an address
// that cannot be resolved, as Perl POE 1.370 gives it: ("inet_aton",
// EADDRNOTAVAIL) for IPv4, ("getaddrinfo", EADDRNOTAVAIL) for IPv6, posted
// rather than called.
func TestSocketFactoryLookupFailures(t *testing.T) {
	cases := []struct {
		name string
		o    wheel.SocketFactoryOptions
		op   string
	}{
		{"an unknown host name to connect to fails inet_aton",
			wheel.SocketFactoryOptions{RemoteAddress: unresolvable, RemotePort: 1}, "inet_aton"},
		{"an unknown host name to bind to fails inet_aton",
			wheel.SocketFactoryOptions{BindAddress: unresolvable}, "inet_aton"},
		{"an IPv6 literal on an IPv4 socket fails inet_aton",
			wheel.SocketFactoryOptions{RemoteAddress: "::1", RemotePort: 1}, "inet_aton"},
		{"an unknown host name on an IPv6 socket fails getaddrinfo",
			wheel.SocketFactoryOptions{SocketDomain: unix.AF_INET6, RemoteAddress: unresolvable, RemotePort: 1}, "getaddrinfo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			got, id := socketFactoryFailure(t, c.o)
			want := []any{c.op, int(syscall.EADDRNOTAVAIL), syscall.EADDRNOTAVAIL.Error(), id}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("FailureEvent %#v, want %#v", got, want)
			}
		})
	}
}
