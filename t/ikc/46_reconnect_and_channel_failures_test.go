// This file has no Perl twin among IKC's tests: it holds the Go-only
// reconnecting Client (Options.Reconnect; Perl's Client never reconnects)
// and the channel failures that the documentation promises: a refused
// subscription of Options.Subscribe, a channel that cannot start, and a
// negotiation that stalls past NegotiationTimeout (Perl waits forever).
package ikc_test

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

// tcpCombo is the one cell of the matrix these tests need.
var tcpCombo = combo{Protocol: channel.IKC0, Serializer: msgpack.Name}

// TestReconnectingClientGivesUpAfterMaxAttempts: every failed attempt
// goes to OnError, and after MaxAttempts in a row the Client says so and
// stops trying.
func TestReconnectingClientGivesUpAfterMaxAttempts(t *testing.T) {
	port := closedPort(t)
	rec := newRecorder()
	cli := boot(kernel.MustNew(kernel.WithName("Cli")), func(e *kernel.Event) {
		_, err := client.Spawn(e.Kernel, client.Options{
			Port: port, Name: "Cli",
			Reconnect: &client.Backoff{Initial: 5 * time.Millisecond, Max: 10 * time.Millisecond, MaxAttempts: 3},
			OnError: func(op string, errno int, text string) {
				rec.add("%s %d %s", op, errno, text)
				if strings.HasPrefix(text, "giving up") {
					e.Kernel.Post(responder.Alias, "shutdown")
				}
			},
		})
		if err != nil {
			t.Errorf("Spawn: %v", err)
		}
	})
	refused := fmt.Sprintf("connect %d %s", int(syscall.ECONNREFUSED), syscall.ECONNREFUSED.Error())
	rec.waitFor(t, refused, refused, refused, "connect 0 giving up after 3 failed attempts")
	cli.end(t, "client")
	if got := rec.all(); len(got) != 4 {
		t.Errorf("got %q, want three refusals and the end", got)
	}
}

// TestReconnectingClientReconnectsUntilIKCShutdown: when the connection
// closes, a new one is made, negotiated and OnConnect runs again (the
// server's monitors see unregister, then register); an IKC/shutdown on the
// client ends the reconnecting, so the second close is the last.
func TestReconnectingClientReconnectsUntilIKCShutdown(t *testing.T) {
	rec := newRecorder()
	regs := 0
	srv, ep := startServer(t, newEndpoint(t, tcpCombo), serverSpec{
		Opts: server.Options{Name: "Srv"},
		Start: func(e *kernel.Event) {
			e.Kernel.Post(responder.Alias, "monitor", "Cli", map[string]string{
				"register": "reg", "unregister": "unreg", "channel": "channel"})
		},
		States: kernel.States{
			"reg": func(e *kernel.Event) any { regs++; rec.add("server: register %d", regs); return nil },
			"channel": func(e *kernel.Event) any {
				if e.ArgString(4) == "ready" && regs == 1 {
					e.Kernel.Post(e.Arg(5), "shutdown") // the server drops the first connection
				}
				return nil
			},
			"unreg": func(e *kernel.Event) any {
				rec.add("server: unregister %d", regs)
				if regs == 2 {
					e.Kernel.Post(responder.Alias, "shutdown")
				}
				return nil
			},
		},
	})
	var mu sync.Mutex
	connects := 0
	var ck *kernel.Kernel
	cli := startClient(t, tcpCombo, ep, clientSpec{
		Opts: client.Options{
			Name:      "Cli",
			Reconnect: &client.Backoff{Initial: 5 * time.Millisecond},
			OnConnect: func() {
				mu.Lock()
				connects++
				n := connects
				mu.Unlock()
				rec.add("client: connected %d", n)
				if n == 2 {
					ck.Post(responder.Alias, "shutdown")
				}
			},
		},
		Start: func(e *kernel.Event) {
			ck = e.Kernel
			e.Kernel.AliasRemove("Client") // the kernel ends with IKC
		},
	})
	rec.waitFor(t, "server: register 1", "client: connected 1", "server: unregister 1",
		"server: register 2", "client: connected 2", "server: unregister 2")
	cli.end(t, "client")
	srv.end(t, "server")
	rec.ordered(t, "server: register 1", "server: unregister 1", "server: register 2", "server: unregister 2")
	if regs != 2 {
		t.Errorf("the server saw %d registrations, want 2", regs)
	}
}

// TestSubscriptionsTheClientCouldNotMake: a Client whose Subscribe names
// a session the server has not published still connects; the refusal is
// reported to OnError and the monitors (the Go Client's documented
// difference: Perl's channel dies and never runs on_connect), and
// OnConnect runs with the proxies that could be made. The refusal text is
// the one Perl's do_you_have answers.
func TestSubscriptionsTheClientCouldNotMake(t *testing.T) {
	rec := newRecorder()
	srv, ep := startServer(t, newEndpoint(t, tcpCombo), serverSpec{
		Opts:    server.Options{Name: "Srv"},
		Publish: []string{"x"},
		Start: func(e *kernel.Event) {
			e.Kernel.Post(responder.Alias, "monitor", "Cli", map[string]string{"unregister": "unreg"})
		},
		States: kernel.States{
			"x":     func(*kernel.Event) any { return nil },
			"unreg": func(e *kernel.Event) any { e.Kernel.Post(responder.Alias, "shutdown"); return nil },
		},
	})
	var ck *kernel.Kernel
	cli := startClient(t, tcpCombo, ep, clientSpec{
		Opts: client.Options{
			Name:      "Cli",
			Subscribe: []string{"poe://Srv/test", "poe://Srv/nope"},
			OnError:   func(op string, errno int, text string) { rec.add("OnError %s %d %s", op, errno, text) },
			OnConnect: func() {
				rec.add("connected, proxy test %v, proxy nope %v",
					ck.AliasResolve("poe://Srv/test") != nil, ck.AliasResolve("poe://Srv/nope") != nil)
				ck.Post(responder.Alias, "shutdown")
			},
		},
		Start: func(e *kernel.Event) {
			ck = e.Kernel
			e.Kernel.AliasRemove("Client")
			e.Kernel.Post(responder.Alias, "monitor", "*", map[string]string{"error": "err"})
		},
		States: kernel.States{
			"err": func(e *kernel.Event) any { rec.add("monitor %v %v", e.Arg(4), e.Arg(5)); return nil },
		},
	})
	rec.waitFor(t, "connected, proxy test true, proxy nope false")
	cli.end(t, "client")
	srv.end(t, "server")
	lines := rec.all()
	for _, want := range []string{
		"monitor subscribe Refused subscription poe://Srv/nope",
		"OnError subscribe 0 unable to subscribe to [poe://Srv/nope]",
		"monitor channel-subscribe [0] unable to subscribe to [poe://Srv/nope]",
	} {
		if !anyMatch(lines, want) {
			t.Errorf("no line like %q in:\n  %s", want, strings.Join(lines, "\n  "))
		}
	}
}

// TestAChannelThatCannotStartClosesItsSocket: a Client whose name cannot
// be advertised (it holds a comma) reports a setup error, and its channel
// closes the connected socket, so the server sees the connection end
// during negotiation.
func TestAChannelThatCannotStartClosesItsSocket(t *testing.T) {
	rec := newRecorder()
	srv, ep := startServer(t, newEndpoint(t, tcpCombo), serverSpec{
		Opts: server.Options{Name: "Srv", OnError: func(op string, errno int, text string) {
			rec.add("server: %s %d %s", op, errno, text)
		}},
	})
	cli := startClient(t, tcpCombo, ep, clientSpec{
		Opts: client.Options{Name: "a,b", OnError: func(op string, errno int, text string) {
			rec.add("client: %s", op)
		}},
		Start: func(e *kernel.Event) { e.Kernel.AliasRemove("Client") },
	})
	rec.waitFor(t, "client: setup", "server: read 0 connection closed during negotiation")
	cli.end(t, "client")
	srv.k.Post(responder.Alias, "shutdown")
	srv.end(t, "server")
}

// TestANegotiationThatStallsIsClosed: a connection that says nothing is
// reported as a negotiation timeout and closed after NegotiationTimeout.
func TestANegotiationThatStallsIsClosed(t *testing.T) {
	const limit = 100 * time.Millisecond
	rec := newRecorder()
	srv, ep := startServer(t, newEndpoint(t, tcpCombo), serverSpec{
		Opts: server.Options{Name: "Srv", NegotiationTimeout: limit, OnError: func(op string, errno int, text string) {
			rec.add("%s %d %s", op, errno, text)
		}},
	})
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", ep.Port), wait)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(wait))
	if n, err := io.Copy(io.Discard, c); err != nil || n != 0 {
		t.Errorf("read %d octets, %v; want the server to close without a word", n, err)
	}
	// The error is reported before the connection closes.
	if want := fmt.Sprintf("negotiate %d * did not finish within %s", int(syscall.ETIMEDOUT), limit); !anyMatch(rec.all(), want) {
		t.Errorf("no line like %q in %q", want, rec.all())
	}
	srv.k.Post(responder.Alias, "shutdown")
	srv.end(t, "server")
}

// TestReconnectingClientStopsOnIKCShutdownBetweenAttempts: an
// IKC/shutdown while the Client waits to try again cancels the next
// attempt, and the kernel ends.
func TestReconnectingClientStopsOnIKCShutdownBetweenAttempts(t *testing.T) {
	port := closedPort(t)
	rec := newRecorder()
	cli := boot(kernel.MustNew(kernel.WithName("Cli")), func(e *kernel.Event) {
		_, err := client.Spawn(e.Kernel, client.Options{
			Port: port, Name: "Cli",
			Reconnect: &client.Backoff{Initial: 50 * time.Millisecond},
			OnError: func(op string, errno int, text string) {
				rec.add("%s %d", op, errno)
				e.Kernel.Post(responder.Alias, "shutdown")
			},
		})
		if err != nil {
			t.Errorf("Spawn: %v", err)
		}
	})
	cli.end(t, "client")
	if got, want := rec.all(), fmt.Sprintf("connect %d", int(syscall.ECONNREFUSED)); len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want one %q", got, want)
	}
}
