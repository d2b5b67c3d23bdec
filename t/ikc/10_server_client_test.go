// This file mirrors IKC's t/10_server_client.t (with its helper
// test-client): a server kernel publishes four states of its session
// "test"; a client kernel posts "posted", calls "called" with a callback,
// publishes YOW, subscribes to the server's test session, posts "method"
// through the proxy, gets YOW back through the proxy's SENDER, retracts,
// unsubscribes, posts "done" and shuts down. The server checks register
// and unregister of the client's name and ends with a clean IKC shutdown.
// Both server protocols are tried against both client protocols, so the
// fallback runs in both directions; the scenario also runs with the server
// kernel in a child process.
package ikc_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

const clientName10 = "TestClient"

// serverName10 is the server's kernel name for a transport, as the Perl
// test names its unix and TCP servers.
func serverName10(unix bool) string {
	if unix {
		return "Unix"
	}
	return "Inet"
}

// server10 is the server half of the scenario.
func server10(t *testing.T, rec *recorder, ep endpoint, proto channel.Protocol, name string) (*running, endpoint) {
	return startServer(t, ep, serverSpec{
		Opts:    server.Options{Name: name, Aliases: []string{"Ikc"}, Protocol: proto},
		Publish: []string{"posted", "called", "method", "done"},
		Start: func(e *kernel.Event) {
			pub, _ := e.Kernel.Call(responder.Alias, "published", "test")
			if l, ok := pub.([]string); ok {
				rec.add("published %d states", len(l))
			} else {
				rec.add("published %T", pub)
			}
			all, _ := e.Kernel.Call(responder.Alias, "published")
			if m, ok := all.(map[string][]string); ok {
				keys := make([]string, 0, len(m))
				for k := range m {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				rec.add("published by %s", strings.Join(keys, " "))
			} else {
				rec.add("published %T", all)
			}
			e.Kernel.Post(responder.Alias, "monitor", clientName10, map[string]string{
				"register": "client_register", "unregister": "client_unregister"})
		},
		States: kernel.States{
			"posted": func(e *kernel.Event) any {
				l, _ := e.Arg(0).([]any)
				rec.add("server: posted %v", l)
				return nil
			},
			"called": func(e *kernel.Event) any {
				rec.add("server: called %v", e.Arg(0))
				return "answer to " + e.ArgString(0)
			},
			"method": func(e *kernel.Event) any {
				m, _ := e.Arg(0).(map[string]any)
				rec.add("server: method %v", m["type"])
				e.Kernel.Post(e.Sender, "YOW")
				return nil
			},
			"done": func(e *kernel.Event) any { rec.add("server: done"); return nil },
			"client_register": func(e *kernel.Event) any {
				rec.add("server: register %v", e.Arg(1))
				return nil
			},
			"client_unregister": func(e *kernel.Event) any {
				rec.add("server: unregister %v", e.Arg(1))
				e.Kernel.Post(responder.Alias, "shutdown")
				return nil
			},
		},
	})
}

// client10 is the client half: test-client.
func client10(t *testing.T, rec *recorder, c combo, ep endpoint, rname string) *running {
	remote := "poe://" + rname + "/test"
	return startClient(t, c, ep, clientSpec{
		Opts: client.Options{Name: clientName10},
		Start: func(e *kernel.Event) {
			e.Kernel.Post(responder.Alias, "monitor", rname, map[string]string{"register": "registered"})
		},
		States: kernel.States{
			"registered": func(e *kernel.Event) any {
				rec.add("client: registered %v", e.Arg(1))
				e.Kernel.Yield("posting")
				return nil
			},
			"posting": func(e *kernel.Event) any {
				e.Kernel.Post(responder.Alias, "post", remote+"/posted", []any{"posted", clientName10})
				e.Kernel.Yield("calling")
				return nil
			},
			"calling": func(e *kernel.Event) any {
				e.Kernel.Call(responder.Alias, "call", remote+"/called", "called", "poe:callback")
				return nil
			},
			"callback": func(e *kernel.Event) any {
				rec.add("client: callback %v", e.Arg(0))
				e.Kernel.Yield("subscribing")
				return nil
			},
			"subscribing": func(e *kernel.Event) any {
				e.Kernel.Post(responder.Alias, "monitor", rname, map[string]string{
					"subscribe": "subscribed", "unsubscribe": "unsubscribed"})
				e.Kernel.Post(responder.Alias, "publish", "Client", []string{"YOW"})
				e.Kernel.Post(responder.Alias, "subscribe", remote)
				return nil
			},
			"subscribed": func(e *kernel.Event) any {
				rec.add("client: subscribed")
				if err := e.Kernel.Post(remote, "method", map[string]any{"type": "method"}); err != nil {
					t.Errorf("posting to the proxy %s: %v", remote, err)
				}
				return nil
			},
			"YOW": func(e *kernel.Event) any {
				rec.add("client: YOW")
				e.Kernel.Post(responder.Alias, "retract", "Client", []string{"YOW"})
				e.Kernel.Post(responder.Alias, "unsubscribe", remote)
				return nil
			},
			"unsubscribed": func(e *kernel.Event) any {
				rec.add("client: unsubscribed")
				e.Kernel.Call(responder.Alias, "post", remote+"/done")
				e.Kernel.Post(responder.Alias, "shutdown")
				e.Kernel.AliasRemove("Client")
				return nil
			},
		},
	})
}

// want10 is what one run records, client and server lines together.
func want10(rname string) []string {
	return []string{
		"published 4 states",
		"published by IKC test",
		"client: registered " + rname,
		"server: register " + clientName10,
		"server: posted [posted " + clientName10 + "]",
		"server: called called",
		"client: callback answer to called",
		"client: subscribed",
		"server: method method",
		"client: YOW",
		"client: unsubscribed",
		"server: done",
		"server: unregister " + clientName10,
	}
}

func TestServerAndClientTalkBothWays(t *testing.T) {
	forEachCombo(t, func(t *testing.T, c combo) {
		for _, sp := range []channel.Protocol{c.Protocol, other(c.Protocol)} {
			t.Run(fmt.Sprintf("against a server expecting %s", sp), func(t *testing.T) {
				rec := newRecorder()
				rname := serverName10(c.Unix)
				srv, ep := server10(t, rec, newEndpoint(t, c), sp, rname)
				cli := client10(t, rec, c, ep, rname)
				rec.waitFor(t, want10(rname)...)
				cli.end(t, "client")
				srv.end(t, "server")
				rec.ordered(t, "server: register "+clientName10, "server: posted [posted "+clientName10+"]",
					"server: called called", "server: method method", "server: done", "server: unregister "+clientName10)
				rec.ordered(t, "client: registered "+rname, "client: callback answer to called",
					"client: subscribed", "client: YOW", "client: unsubscribed")
				if n := rec.count("server: register " + clientName10); n != 1 {
					t.Errorf("the server saw %d registrations", n)
				}
			})
		}
	})
}

// The server kernel of the two-process runs lives in a child process: this
// test binary run again with these variables set.
const (
	childEnv      = "IKC_TEST_CHILD_SERVER"
	childProtoEnv = "IKC_TEST_CHILD_PROTOCOL"
	childUnixEnv  = "IKC_TEST_CHILD_UNIX"
	childPrefix   = "ikc-child: "
)

// TestServerChildProcess is the child process's server; it is skipped in
// a normal run.
func TestServerChildProcess(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("runs only as the child process of TestServerInAnotherProcess")
	}
	unixPath := os.Getenv(childUnixEnv)
	rec := newRecorder()
	rec.echo = func(line string) { fmt.Printf("%s%s\n", childPrefix, line) }
	srv, ep := server10(t, rec, endpoint{Unix: unixPath}, channel.Protocol(os.Getenv(childProtoEnv)), serverName10(unixPath != ""))
	fmt.Printf("%sport %d\n", childPrefix, ep.Port)
	srv.end(t, "server")
	fmt.Printf("%send\n", childPrefix)
}

func TestServerInAnotherProcess(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("this is the child process")
	}
	forEachCombo(t, func(t *testing.T, c combo) {
		ep := newEndpoint(t, c)
		cmd := exec.Command(os.Args[0], "-test.run=^TestServerChildProcess$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), childEnv+"=1", childProtoEnv+"="+string(other(c.Protocol)), childUnixEnv+"="+ep.Unix)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		rec := newRecorder()
		ports := make(chan int, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line, ok := strings.CutPrefix(sc.Text(), childPrefix)
				if !ok {
					continue
				}
				if p, ok := strings.CutPrefix(line, "port "); ok {
					n, _ := strconv.Atoi(p)
					ports <- n
					continue
				}
				rec.add("%s", line)
			}
			io.Copy(io.Discard, out)
			exited <- cmd.Wait()
		}()
		defer func() {
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("the server process: %v", err)
				}
			case <-time.After(wait):
				t.Errorf("the server process (PID %d) did not exit; killing it", cmd.Process.Pid)
				cmd.Process.Kill()
				<-exited
			}
		}()
		select {
		case ep.Port = <-ports:
		case <-time.After(wait):
			t.Fatal("the server process did not start listening")
		}
		rname := serverName10(c.Unix)
		cli := client10(t, rec, c, ep, rname)
		rec.waitFor(t, want10(rname)...)
		cli.end(t, "client")
		rec.waitFor(t, "end")
	})
}
