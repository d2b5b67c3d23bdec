// This file has no Perl twin among IKC's tests: it holds what the
// monitors of "*" hear from a reconnecting Client (Options.Reconnect)
// without OnError. Perl IKC 0.2402 has no reconnecting Client; a Perl
// program that spawns a new Client after each failure, without on_error,
// gives its "*" monitor every failure, error channel-connect "[111]
// Connection refused" once per attempt. The Go Client retries on its own,
// every few milliseconds if asked to, so the monitors hear the first
// failure of a run, each failure unlike the one before, and the giving
// up, rather than one report per attempt.
package ikc_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// hangUpAfterHello listens on port and closes every connection once it
// has read the client's first line, so that each negotiation ends with
// the connection closed, until the test ends.
func hangUpAfterHello(t *testing.T, port int) {
	t.Helper()
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Error(err) // not t.Fatal: this runs on the kernel's goroutine
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(wait))
			bufio.NewReader(c).ReadString('\n')
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
}

// TestReconnectingClientReportsToTheMonitors: a reconnecting Client
// without OnError trying every 20 ms tells the monitors of "*" about its
// failures as a plain Client does, but only once for a run of the same
// failure, again when the failure changes or after a connection
// succeeded, and when it gives up.
func TestReconnectingClientReportsToTheMonitors(t *testing.T) {
	refused := fmt.Sprintf("channel-connect [%d] %s", int(syscall.ECONNREFUSED), syscall.ECONNREFUSED.Error())
	closed := "channel-read [0] connection closed during negotiation"
	const attempts = 8
	giveUp := fmt.Sprintf("channel-connect [0] giving up after %d failed attempts", attempts)
	for _, tc := range []struct {
		name string
		// then runs in the client kernel when the monitors hear of a
		// failure (the nth report); it may change what the next attempts
		// meet.
		then func(t *testing.T, port int, n int)
		want []string
	}{
		{"a run of refusals is told once, then the giving up", nil,
			[]string{refused, giveUp}},
		{"a failure unlike the one before is told", func(t *testing.T, port, n int) {
			if n == 1 {
				hangUpAfterHello(t, port)
			}
		}, []string{refused, closed, giveUp}},
		{"after a connection the first failure is told again", func(t *testing.T, port, n int) {
			if n == 1 {
				serveOnce(t, port)
			}
		}, []string{refused, refused, giveUp}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := closedPort(t)
			var lines []string
			cli := boot(kernel.MustNew(kernel.WithName("Cli")), func(e *kernel.Event) {
				e.Kernel.Create(kernel.Session{States: kernel.States{
					"_start": func(e *kernel.Event) any {
						responder.Spawn(e.Kernel)
						e.Kernel.Call(responder.Alias, "monitor", "*", map[string]string{"error": "err"})
						_, err := client.Spawn(e.Kernel, client.Options{
							Port: port, Name: "Cli", ConnectTimeout: wait, NegotiationTimeout: wait,
							Reconnect: &client.Backoff{Initial: 20 * time.Millisecond, Max: 20 * time.Millisecond, MaxAttempts: attempts},
						})
						if err != nil {
							t.Errorf("Spawn: %v", err)
						}
						return nil
					},
					"err": func(e *kernel.Event) any {
						if e.Arg(1) != "*" {
							return nil // the end of a connection made, about its peer
						}
						lines = append(lines, fmt.Sprintf("%v %v", e.Arg(4), e.Arg(5)))
						if strings.Contains(e.ArgString(5), "giving up") {
							e.Kernel.Post(responder.Alias, "shutdown")
						} else if tc.then != nil {
							tc.then(t, port, len(lines))
						}
						return nil
					},
				}})
			})
			cli.end(t, "client")
			if strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("the monitors heard:\n  %s\nwant:\n  %s", strings.Join(lines, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// serveOnce runs an IKC server kernel on port that takes one connection
// and shuts IKC down once it is negotiated, so that the client's next
// attempts are refused.
func serveOnce(t *testing.T, port int) {
	t.Helper()
	started := make(chan error, 1)
	srv := boot(kernel.MustNew(kernel.WithName("Srv")), func(e *kernel.Event) {
		_, err := server.Spawn(e.Kernel, server.Options{Name: "Srv", Port: port, NegotiationTimeout: wait})
		started <- err
		e.Kernel.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet("test")
				e.Kernel.Call(responder.Alias, "monitor", "*", map[string]string{"register": "reg", "shutdown": "bye"})
				return nil
			},
			"reg": func(e *kernel.Event) any { e.Kernel.Post(responder.Alias, "shutdown"); return nil },
			"bye": func(e *kernel.Event) any { e.Kernel.AliasRemove("test"); return nil },
		}})
	})
	if err := <-started; err != nil {
		t.Error(err) // not t.Fatal: this runs on the client kernel's goroutine
	}
	t.Cleanup(func() { srv.end(t, "server") })
}
