package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

func init() {
	register("demo", "two kernels in this process talking IKC over loopback, with a transcript", cmdDemo)
}

// transcript prints the demo's lines from both kernels' goroutines, one
// whole line at a time, each tagged with the side that wrote it.
type transcript struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	lines int
}

func (t *transcript) say(who, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines++
	fmt.Fprintf(t.w, "%-8s %s\n", who, fmt.Sprintf(format, args...))
}

// js renders a value as JSON for the transcript.
func js(v any) string {
	b, err := json.Marshal(toJSON(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "", stderr)
	port := fs.Int("port", 0, "loopback TCP port for the server kernel (0 picks a free one)")
	timeout := fs.Duration("timeout", 10*time.Second, "give up if the demo has not finished by then")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("demo takes no arguments")
	}
	t := &transcript{w: stdout, start: time.Now()}
	ks, err := kernel.New(kernel.WithName("Server"))
	if err != nil {
		return err
	}
	defer ks.Close()
	kc, err := kernel.New(kernel.WithName("Client"))
	if err != nil {
		return err
	}
	defer kc.Close()

	p, err := demoServer(ks, *port, t)
	if err != nil {
		return err
	}
	var clientErr error
	demoClient(kc, p, t, &clientErr)

	done := make(chan error, 2)
	go func() { done <- ks.Run() }()
	go func() { done <- kc.Run() }()
	deadline := time.After(*timeout)
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				return err
			}
		case <-deadline:
			return fmt.Errorf("the demo did not finish within %s", *timeout)
		}
	}
	if clientErr != nil {
		return clientErr
	}
	fmt.Fprintf(stdout, "done: two kernels, one connection, %d lines in %s\n",
		t.lines, time.Since(t.start).Round(time.Millisecond))
	return nil
}

// demoServer gives ks an IKC server on loopback and a session "greeter"
// publishing hello (answers through SENDER) and add (answers a call), and a
// monitor that welcomes each client kernel and stops the server kernel when
// the client has gone.
func demoServer(ks *kernel.Kernel, port int, t *transcript) (int, error) {
	p, err := server.Spawn(ks, server.Options{Port: port, Name: "Server"})
	if err != nil {
		return 0, err
	}
	names := map[string]string{} // kernel ID -> the name it registered with
	t.say("server", "kernel Server listening on 127.0.0.1:%d, publishing greeter/hello and greeter/add", p)
	ks.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("greeter")
			e.Kernel.Post("IKC", "publish", "greeter", []string{"hello", "add"})
			e.Kernel.Post("IKC", "monitor", "*", map[string]string{
				"register": "registered", "unregister": "unregistered", "error": "error",
			})
			return nil
		},
		"registered": func(e *kernel.Event) any {
			if e.Arg(2) == nil { // an alias: the kernel's ID came first
				return nil
			}
			name := peerName(responder.Get(e.Kernel), e.ArgString(1))
			names[e.ArgString(1)] = name
			t.say("server", "monitor: kernel %s registered", name)
			e.Kernel.Post("IKC", "post", "poe://"+name+"/demo/welcome", "hello, "+name)
			return nil
		},
		"hello": func(e *kernel.Event) any {
			t.say("server", "greeter/hello got %s; answering through SENDER", js(e.Arg(0)))
			e.Kernel.Post(e.Sender, "reply", fmt.Sprintf("hello, %v", e.Arg(0)))
			return nil
		},
		"add": func(e *kernel.Event) any {
			xs, _ := e.Arg(0).([]any)
			sum := int64(0)
			for _, x := range xs {
				sum += asInt64(x)
			}
			t.say("server", "greeter/add got %s; returning %d", js(e.Arg(0)), sum)
			return sum
		},
		"error": func(e *kernel.Event) any {
			if !isEOF(e.ArgString(4), e.ArgString(5)) {
				t.say("server", "monitor: error %s %s", e.ArgString(4), e.ArgString(5))
			}
			return nil
		},
		"unregistered": func(e *kernel.Event) any {
			if e.Arg(2) == nil {
				return nil
			}
			t.say("server", "monitor: kernel %s unregistered; shutting down", names[e.ArgString(1)])
			e.Kernel.AliasRemove("greeter")
			e.Kernel.Post("IKC", "shutdown")
			return nil
		},
	}})
	return p, nil
}

// demoClient gives kc a session "demo" that connects to the server and,
// one step after the other, posts, calls with an RSVP, subscribes and posts
// through the proxy session, then shuts IKC down.
func demoClient(kc *kernel.Kernel, port int, t *transcript, errp *error) {
	kc.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("demo")
			responder.Spawn(e.Kernel)
			e.Kernel.Post("IKC", "publish", "demo", []string{"welcome", "reply"})
			t.say("client", "kernel Client connecting to 127.0.0.1:%d", port)
			_, err := client.Spawn(e.Kernel, client.Options{
				Port: port, Name: "Client", ConnectTimeout: 5 * time.Second,
				OnError: func(op string, errno int, text string) {
					*errp = fmt.Errorf("client %s: %s", op, text)
					kc.Post("demo", "quit")
				},
			})
			if err != nil {
				*errp = err
				e.Kernel.AliasRemove("demo")
			}
			return nil
		},
		"welcome": func(e *kernel.Event) any {
			t.say("client", "got welcome %s from the server", js(e.Arg(0)))
			t.say("client", "post poe://Server/greeter/hello %s", js("world"))
			e.Kernel.Post("IKC", "post", "poe://Server/greeter/hello", "world")
			return nil
		},
		"reply": func(e *kernel.Event) any {
			t.say("client", "got reply %s", js(e.Arg(0)))
			if e.ArgString(0) == "hello, world" {
				t.say("client", "call poe://Server/greeter/add [2,3] with RSVP poe:sum")
				e.Kernel.Post("IKC", "call", "poe://Server/greeter/add", []any{int64(2), int64(3)}, "poe:sum")
				return nil
			}
			t.say("client", "IKC shutdown: closing the connection")
			e.Kernel.Yield("quit")
			return nil
		},
		"sum": func(e *kernel.Event) any {
			t.say("client", "got RSVP sum %s", js(e.Arg(0)))
			t.say("client", "subscribe poe://Server/greeter")
			e.Kernel.Post("IKC", "subscribe", []string{"poe://Server/greeter"}, "subscribed")
			return nil
		},
		"subscribed": func(e *kernel.Event) any {
			t.say("client", "subscribed to %s; posting hello to the proxy session", js(e.Arg(0)))
			e.Kernel.Post("poe://Server/greeter", "hello", "proxy")
			return nil
		},
		"quit": func(e *kernel.Event) any {
			e.Kernel.Post("IKC", "shutdown")
			e.Kernel.AliasRemove("demo")
			return nil
		},
	}})
}

// peerName is the name a registered kernel gave itself: its first alias
// that is not a transport's sanity alias (host:port or unix:path), else its
// ID, which is what a ClientLite registers under.
func peerName(r *responder.Responder, id string) string {
	if r == nil {
		return id
	}
	for _, a := range r.Kernels()[id] {
		if !isTransportName(a) {
			return a
		}
	}
	return id
}

// isTransportName reports whether a kernel alias is one IKC derives from
// the connection rather than a name the kernel chose.
func isTransportName(a string) bool {
	if strings.HasPrefix(a, "unix:") {
		return true
	}
	_, _, err := net.SplitHostPort(a)
	return err == nil
}

// isEOF reports whether a monitor error is a peer closing its end, which is
// how every IKC connection ends.
func isEOF(op, text string) bool {
	return op == "channel-read" && strings.HasPrefix(text, "[0]")
}

// asInt64 reads any Go integer (msgpack and Storable thaw different
// widths) as an int64.
func asInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}
