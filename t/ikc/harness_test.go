// This file is the shared harness of the IKC suite, not a mirror of one
// Perl test: it runs every scenario over both negotiation protocols, both
// serializers and both transports, with a server kernel and a client
// kernel in one process, each running on its own goroutine.
package ikc_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/clientlite"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/serial/freezethaw"
	"github.com/poe-go/poe/poe/serial/msgpack"
	"github.com/poe-go/poe/poe/serial/storable"
)

// wait bounds every wait of the suite.
const wait = 10 * time.Second

// combo is one cell of the matrix: the protocol the client starts with,
// the serializer it offers, and the transport.
type combo struct {
	Protocol   channel.Protocol
	Serializer string
	Unix       bool
}

func serializerName(s string) string {
	if s == msgpack.Name {
		return "msgpack"
	}
	return s
}

// String is the subtest name: a sentence.
func (c combo) String() string {
	over := "over TCP"
	if c.Unix {
		over = "over a unix socket"
	}
	return fmt.Sprintf("%s client with %s %s", c.Protocol, serializerName(c.Serializer), over)
}

// other is the protocol that is not p (to test the fallbacks).
func other(p channel.Protocol) channel.Protocol {
	if p == channel.IKC0 {
		return channel.IKC
	}
	return channel.IKC0
}

// combos is the whole matrix.
func combos() []combo {
	var out []combo
	for _, p := range []channel.Protocol{channel.IKC0, channel.IKC} {
		for _, s := range []string{msgpack.Name, storable.Name, freezethaw.Name} {
			for _, u := range []bool{false, true} {
				out = append(out, combo{p, s, u})
			}
		}
	}
	return out
}

// forEachCombo runs f as a parallel subtest for every cell of the matrix.
func forEachCombo(t *testing.T, f func(t *testing.T, c combo)) {
	t.Helper()
	for _, c := range combos() {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			f(t, c)
		})
	}
}

// recorder collects what the sessions of both kernels saw, from any
// goroutine, and lets the test wait for it.
type recorder struct {
	mu     sync.Mutex
	lines  []string
	notify chan struct{}
	echo   func(line string) // also gets every line, when set
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) add(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.lines = append(r.lines, line)
	echo := r.echo
	r.mu.Unlock()
	if echo != nil {
		echo(line)
	}
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines)
}

// count is how many recorded lines equal line.
func (r *recorder) count(line string) int {
	n := 0
	for _, l := range r.all() {
		if l == line {
			n++
		}
	}
	return n
}

// waitFor waits until every line of want has been recorded (as many
// times as it appears in want), in any order.
func (r *recorder) waitFor(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.After(wait)
	for {
		if missing := r.missing(want); len(missing) == 0 {
			return
		} else {
			select {
			case <-r.notify:
			case <-deadline:
				t.Fatalf("still missing %q; recorded:\n  %s", missing, strings.Join(r.all(), "\n  "))
			}
		}
	}
}

func (r *recorder) missing(want []string) []string {
	have := map[string]int{}
	for _, l := range r.all() {
		have[l]++
	}
	var out []string
	for _, w := range want {
		if have[w] > 0 {
			have[w]--
		} else {
			out = append(out, w)
		}
	}
	return out
}

// ordered checks that the lines of want were recorded in that order
// (other lines may come between them).
func (r *recorder) ordered(t *testing.T, want ...string) {
	t.Helper()
	i := 0
	for _, l := range r.all() {
		if i < len(want) && l == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("%q not recorded in this order; recorded:\n  %s", want, strings.Join(r.all(), "\n  "))
	}
}

// endpoint is where a server listens.
type endpoint struct {
	Port int
	Unix string
}

// newEndpoint gives a unix socket path for unix combinations.
func newEndpoint(t *testing.T, c combo) endpoint {
	if !c.Unix {
		return endpoint{}
	}
	dir, err := os.MkdirTemp("", "ikc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return endpoint{Unix: filepath.Join(dir, "s")}
}

// running is a kernel running on its own goroutine.
type running struct {
	k    *kernel.Kernel
	done chan error
}

func run(k *kernel.Kernel) *running {
	r := &running{k: k, done: make(chan error, 1)}
	go func() { r.done <- k.Run() }()
	return r
}

// runWithin runs k, whose sessions are already created, until Run returns,
// failing the test with Run's error or when it takes longer than limit.
func runWithin(t *testing.T, k *kernel.Kernel, limit time.Duration) {
	t.Helper()
	r := run(k)
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(limit):
		t.Fatal("the kernel did not finish")
	}
}

// boot runs a kernel and, first thing on its loop, setup. Sessions are
// created from there rather than before Run, because posts made before
// Run have the kernel as their SENDER, and IKC's publish and monitor
// register the SENDER.
func boot(k *kernel.Kernel, setup func(e *kernel.Event)) *running {
	s := k.Create(kernel.Session{States: kernel.States{
		"_start": func(*kernel.Event) any { return nil },
		"setup":  func(e *kernel.Event) any { setup(e); return nil },
	}})
	k.Post(s, "setup")
	return run(k)
}

// end waits for the kernel to finish. A kernel that does not is told to
// shut IKC down, and the test fails.
func (r *running) end(t *testing.T, what string) {
	t.Helper()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("%s kernel: %v", what, err)
		}
		r.k.Close()
		return
	case <-time.After(wait):
	}
	t.Errorf("the %s kernel did not finish", what)
	r.k.Post(responder.Alias, "shutdown")
	select {
	case <-r.done:
		r.k.Close()
	case <-time.After(2 * time.Second):
		t.Errorf("the %s kernel is stuck", what)
	}
}

// serverSpec is a server kernel: its IKC Server options and the test
// session (aliased "test") that publishes states.
type serverSpec struct {
	Opts    server.Options
	Publish []string
	States  kernel.States
	// Start runs in the test session's _start, after publishing.
	Start func(e *kernel.Event)
}

// startServer runs a server kernel named after its IKC name. The test
// session removes its alias when IKC shuts down, so the kernel ends after
// an IKC/shutdown.
func startServer(t *testing.T, ep endpoint, spec serverSpec) (*running, endpoint) {
	t.Helper()
	k := kernel.MustNew(kernel.WithName(spec.Opts.Name))
	spec.Opts.Port = 0
	spec.Opts.Unix = ep.Unix
	if spec.Opts.NegotiationTimeout == 0 {
		spec.Opts.NegotiationTimeout = wait
	}
	if spec.Opts.OnError == nil {
		spec.Opts.OnError = func(op string, errno int, text string) {
			t.Errorf("server error: %s %d %s", op, errno, text)
		}
	}
	states := kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("test")
			e.Kernel.Call(responder.Alias, "publish", "test", spec.Publish)
			e.Kernel.Post(responder.Alias, "monitor", "*", map[string]string{"shutdown": "_ikc_shutdown"})
			if spec.Start != nil {
				spec.Start(e)
			}
			return nil
		},
		"_ikc_shutdown": func(e *kernel.Event) any {
			e.Kernel.AliasRemove("test")
			return nil
		},
	}
	for name, h := range spec.States {
		states[name] = h
	}
	ports := make(chan int, 1)
	r := boot(k, func(e *kernel.Event) {
		port, err := server.Spawn(e.Kernel, spec.Opts)
		if err != nil {
			t.Error(err)
			ports <- -1
			return
		}
		e.Kernel.Create(kernel.Session{States: states})
		ports <- port
	})
	select {
	case ep.Port = <-ports:
	case <-time.After(wait):
		t.Fatal("the server kernel did not start")
	}
	if ep.Port < 0 {
		r.end(t, "server")
		t.FailNow()
	}
	return r, ep
}

// clientSpec is a client kernel: its IKC Client options and a session
// aliased "Client".
type clientSpec struct {
	Opts   client.Options
	States kernel.States
	// Start runs in the session's _start, before the Client is spawned.
	Start func(e *kernel.Event)
}

// startClient runs a client kernel connecting to ep with the protocol and
// serializer of c.
func startClient(t *testing.T, c combo, ep endpoint, spec clientSpec) *running {
	t.Helper()
	k := kernel.MustNew(kernel.WithName(spec.Opts.Name))
	spec.Opts.Port = ep.Port
	spec.Opts.Unix = ep.Unix
	spec.Opts.Protocol = c.Protocol
	spec.Opts.Serializers = []string{c.Serializer}
	spec.Opts.ConnectTimeout = wait
	spec.Opts.NegotiationTimeout = wait
	if spec.Opts.OnError == nil {
		spec.Opts.OnError = func(op string, errno int, text string) {
			t.Errorf("client error: %s %d %s", op, errno, text)
		}
	}
	states := kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("Client")
			responder.Spawn(e.Kernel) // as test-client does, so Start can post to IKC
			if spec.Start != nil {
				spec.Start(e)
			}
			if _, err := client.Spawn(e.Kernel, spec.Opts); err != nil {
				t.Errorf("client.Spawn: %v", err)
			}
			return nil
		},
	}
	for name, h := range spec.States {
		states[name] = h
	}
	return boot(k, func(e *kernel.Event) { e.Kernel.Create(kernel.Session{States: states}) })
}

// num reads an integer that crossed the wire (int64 from either
// serializer, or the decimal text Storable uses for big numbers).
func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return -1
}

// liteOptions are ClientLite options for a combination, with every wait
// bounded.
func liteOptions(c combo, ep endpoint, name string) clientlite.Options {
	o := clientlite.Options{Name: name, Serializer: c.Serializer, Protocol: c.Protocol,
		Timeout: wait, ConnectTimeout: wait}
	if ep.Unix != "" {
		o.Unix = ep.Unix
	} else {
		o.Addr, o.Port = "127.0.0.1", ep.Port
	}
	return o
}

// liteConnect connects a ClientLite for a combination.
func liteConnect(t *testing.T, c combo, ep endpoint, name string) *clientlite.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	lc, err := clientlite.Connect(ctx, liteOptions(c, ep, name))
	if err != nil {
		t.Fatalf("connect %s: %v", name, err)
	}
	return lc
}
