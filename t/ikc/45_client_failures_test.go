// This file has no Perl twin among IKC's tests: it holds how a Client
// reports the connections it cannot make. A refused connection goes to
// OnError as ("connect", errno, text) or, without OnError, to the
// monitors of "*" as error channel-connect "[errno] text", as Perl IKC
// 0.2402 does (a Perl Client without on_error connecting to a closed port
// gives its "*" monitor ARG1 "*", ARG2 undef, operation channel-connect,
// message "[111] Connection refused"). A connection that does not complete
// within ConnectTimeout, which Perl has not, is reported the same way with
// ETIMEDOUT.
package ikc_test

import (
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

// closedPort is a TCP port on 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// stalledPort is a TCP port on 127.0.0.1 whose listener never accepts and
// whose backlog is full, so that a new connection never completes.
func stalledPort(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 16 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return sa.(*syscall.SockaddrInet4).Port // the backlog is full
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("could not fill the listen backlog")
	return 0
}

// runFailingClient runs a kernel whose session watches "*" for errors and
// spawns a Client with opts; it returns what OnError (when onError is
// set) and the monitor got. The session ends IKC at the first report.
func runFailingClient(t *testing.T, opts client.Options, onError bool) []string {
	t.Helper()
	k := kernel.MustNew(kernel.WithName("Cli"))
	defer k.Close()
	var lines []string
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			responder.Spawn(e.Kernel)
			e.Kernel.Call(responder.Alias, "monitor", "*", map[string]string{"error": "err"})
			if onError {
				opts.OnError = func(op string, errno int, text string) {
					lines = append(lines, fmt.Sprintf("OnError %s %d %s", op, errno, text))
					k.Post(responder.Alias, "shutdown")
				}
			}
			if _, err := client.Spawn(e.Kernel, opts); err != nil {
				t.Errorf("Spawn: %v", err)
			}
			return nil
		},
		"err": func(e *kernel.Event) any {
			lines = append(lines, fmt.Sprintf("monitor %v %v %v %v", e.Arg(1), e.Arg(2), e.Arg(4), e.Arg(5)))
			e.Kernel.Post(responder.Alias, "shutdown")
			return nil
		},
	}})
	runWithin(t, k, wait)
	return lines
}

func TestClientConnectFailures(t *testing.T) {
	refused := fmt.Sprintf("%d %s", int(syscall.ECONNREFUSED), syscall.ECONNREFUSED.Error())
	timedOut := int(syscall.ETIMEDOUT)
	const limit = 150 * time.Millisecond
	for _, tc := range []struct {
		name    string
		port    func(t *testing.T) int
		onError bool
		want    string
	}{
		{"a refused connection goes to OnError", closedPort, true,
			"OnError connect " + refused},
		{"a refused connection goes to the monitors of * without OnError", closedPort, false,
			"monitor * <nil> channel-connect [" + strings.Replace(refused, " ", "] ", 1)},
		{"a connection that does not complete in time goes to OnError", stalledPort, true,
			fmt.Sprintf("OnError connect %d no connection within %s", timedOut, limit)},
		{"a connection that does not complete in time goes to the monitors without OnError", stalledPort, false,
			fmt.Sprintf("monitor * <nil> channel-connect [%d] no connection within %s", timedOut, limit)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := client.Options{Port: tc.port(t), Name: "Cli", ConnectTimeout: limit}
			lines := runFailingClient(t, opts, tc.onError)
			if len(lines) != 1 || lines[0] != tc.want {
				t.Errorf("got %q, want [%q]", lines, tc.want)
			}
		})
	}
}
