// This file has no Perl twin among IKC's tests: it holds what a Server
// does when accept fails because the process is out of descriptors
// (EMFILE). Perl IKC 0.2402's Server gives each SocketFactory accept
// failure to on_error or, without it, to the monitors of "*" as error
// channel-accept "[24] Too many open files", and keeps listening: once
// descriptors are free the waiting connection is accepted. Perl retries
// at once, so a Perl server out of descriptors reports about 50,000
// failures a second; the Go Server waits a little longer after each
// failure before it tries again, so the monitors hear a few.
package ikc_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/t/poe/poetest"
)

// TestServerAcceptFailures: a connection that arrives while the server
// is out of descriptors makes accept fail with EMFILE; the failure goes
// to OnError or, without it, to the monitors of "*", as Perl's Server
// does, the server keeps listening, and once descriptors are free it
// accepts that connection and the next ones. While out of descriptors
// for outOfFds the server reports a few failures, not one per turn of
// the loop as Perl's does.
func TestServerAcceptFailures(t *testing.T) {
	const outOfFds = 300 * time.Millisecond
	emfile := fmt.Sprintf("%d %s", int(syscall.EMFILE), syscall.EMFILE.Error())
	for _, tc := range []struct {
		name    string
		onError bool
		failure string // how one accept failure is recorded
		closed  string // how the end of the connection accepted late is recorded
	}{
		{"an accept failure goes to OnError", true,
			"OnError accept " + emfile,
			"OnError read 0 connection closed during negotiation"},
		{"an accept failure goes to the monitors of * without OnError", false,
			"monitor * channel-accept [" + strings.Replace(emfile, " ", "] ", 1),
			"monitor * channel-read [0] connection closed during negotiation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			opts := server.Options{Name: "Srv", NegotiationTimeout: wait}
			if tc.onError {
				opts.OnError = func(op string, errno int, text string) { rec.add("OnError %s %d %s", op, errno, text) }
			}
			ports := make(chan int, 1)
			srv := boot(kernel.MustNew(kernel.WithName("Srv")), func(e *kernel.Event) {
				port, err := server.Spawn(e.Kernel, opts)
				if err != nil {
					t.Error(err)
				}
				e.Kernel.Create(kernel.Session{States: kernel.States{
					"_start": func(e *kernel.Event) any {
						e.Kernel.AliasSet("test")
						e.Kernel.Call(responder.Alias, "publish", "test", []string{"ping"})
						e.Kernel.Call(responder.Alias, "monitor", "*", map[string]string{"error": "err", "shutdown": "bye"})
						return nil
					},
					"ping": func(*kernel.Event) any { return "pong" },
					"err": func(e *kernel.Event) any {
						rec.add("monitor %v %v %v", e.Arg(1), e.Arg(4), e.Arg(5))
						return nil
					},
					"bye": func(e *kernel.Event) any { e.Kernel.AliasRemove("test"); return nil },
				}})
				ports <- port
			})
			defer srv.end(t, "server")
			defer srv.k.Post(responder.Alias, "shutdown")
			var port int
			select {
			case port = <-ports:
			case <-time.After(wait):
				t.Fatal("the server kernel did not start")
			}

			// The connecting socket is made first: connect needs none.
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if fd >= 0 {
					syscall.Close(fd)
				}
			}()
			restore := poetest.LowerFdLimit(t, 0)
			if err := syscall.Connect(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}); err != nil {
				restore()
				t.Fatal(err)
			}
			rec.waitFor(t, tc.failure)
			time.Sleep(outOfFds) // how many failures the server reports while out of descriptors
			restore()
			if n := rec.count(tc.failure); n > 20 {
				t.Errorf("%d accept failures reported in %s; want a few", n, outOfFds)
			}

			// The connection that waited is accepted now: closing it
			// ends its negotiation.
			syscall.Close(fd)
			fd = -1
			rec.waitFor(t, tc.closed)
			// And new connections are served.
			lc := liteConnect(t, tcpCombo, endpoint{Port: port}, "Lite")
			defer lc.Disconnect()
			if got, err := lc.Call("poe://Srv/test/ping", nil); err != nil || got != "pong" {
				t.Errorf("call after the failures: %v, %v; want pong", got, err)
			}
		})
	}
}
