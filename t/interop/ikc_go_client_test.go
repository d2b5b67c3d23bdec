package interop_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/poe/kernel"
)

// startGoClient starts a Go kernel named GoCli whose IKC client connects
// to the Perl server through a relay, offering serializers (nil: the
// default ones).
func startGoClient(t *testing.T, srv *perlServer, proto channel.Protocol, network string, serializers []string) (*goKernel, *relay) {
	t.Helper()
	target := srv.unix
	if network == "tcp" {
		target = fmt.Sprintf("127.0.0.1:%d", srv.port)
	}
	r := newRelay(t, network, target)
	g := startGoKernel(t, "GoCli", func(g *goKernel) error {
		_, err := client.Spawn(g.k, client.Options{
			Port: r.port(), Unix: r.unix(), Name: "GoCli", Aliases: []string{"GoAlias"}, Protocol: proto, Serializers: serializers,
			OnConnect: func() { g.send("connected") },
			OnError:   func(op string, errno int, text string) { g.send("client error", op, errno, text) },
		})
		return err
	})
	return g, r
}

// call makes an IKC call from the "ctl" session and returns the answer.
func (g *goKernel) call(spec string, arg any) any {
	g.t.Helper()
	g.do(func(e *kernel.Event) { e.Kernel.Post("IKC", "call", spec, arg, "poe:answer") })
	a := g.expect("answer", nil, 15*time.Second)
	if len(a) == 0 {
		return nil
	}
	return a[0]
}

// TestGoClientAgainstPerlServer is a Go Client kernel connecting to a
// Perl IKC Server kernel (perl/ikc-server.pl): the scenario of
// TestPerlClientAgainstGoServer in the other direction. The Go client
// offers its default serializers and the Perl server picks Storable;
// then, offering FreezeThaw alone, it runs the scenario in FreezeThaw.
func TestGoClientAgainstPerlServer(t *testing.T) {
	eachCase(t, ikcLib(t), goClientScenario)
}

// goClientScenario is TestGoClientAgainstPerlServer's scenario for one
// protocol and network, with the Go client offering only serializer, or
// its default list when serializer is empty.
func goClientScenario(t *testing.T, lib string, proto channel.Protocol, network, serializer string) {
	unix := ""
	if network == "unix" {
		unix = filepath.Join(t.TempDir(), "ikc.sock")
	}
	srv := startPerlServer(t, lib, proto, unix, 0)
	var offer []string
	if serializer != "" {
		offer = []string{serializer}
	}
	g, r := startGoClient(t, srv, proto, network, offer)
	const wait = 15 * time.Second

	g.expect("connected", nil, wait)
	reg := g.expect("monitor register", argIs(2, 1), wait)
	if id, _ := reg[1].(string); !kernelID.MatchString(id) {
		t.Errorf("Go monitor register of the Perl kernel: %#v", reg)
	}
	if proto == channel.IKC0 && fmt.Sprint(reg[4]) != fmt.Sprint(srv.cmd.Process.Pid) {
		t.Errorf("Go monitor register: PID %#v, want %d", reg[4], srv.cmd.Process.Pid)
	}
	g.expect("monitor register", argIs(1, "Server"), wait)
	if got := srv.expect("MONITOR register name=GoCli ", wait); got != "real=0" {
		t.Errorf("the Perl monitor saw register of GoCli %s", got)
	}

	g.do(func(e *kernel.Event) { e.Kernel.Post("IKC", "post", "poe://Server/echo/record", "hello from go") })
	if got := srv.expect("GOT state=record arg=", wait); got != `"hello from go"` {
		t.Errorf("the Perl server got %s", got)
	}

	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	// FreezeThaw has no character strings: Perl gets Go's UTF-8 octets.
	// Every scalar travels as its text there, and text that is an
	// integer thaws as one, however wide.
	perlSees := fmt.Sprintf("length=%d utf8=1", len([]rune(utf8Text)))
	var bigInt any = "1099511627776"
	if serializer == "FreezeThaw" {
		perlSees = fmt.Sprintf("length=%d utf8=0", len(utf8Text))
		bigInt = int64(1) << 40
	}
	for _, tc := range []struct {
		name     string
		state    string
		in, want any
	}{
		{name: "a string", state: "echo", in: "hello", want: "hello"},
		{name: "an empty string", state: "echo", in: "", want: ""},
		{name: "an integer", state: "echo", in: 42, want: int64(42)},
		{name: "a negative integer", state: "echo", in: -100000, want: int64(-100000)},
		{name: "a 64-bit integer travels as its text", state: "echo", in: int64(1) << 40, want: bigInt},
		{name: "a float travels as its text", state: "echo", in: 2.5, want: "2.5"},
		{name: "undef inside an array", state: "echo", in: []any{nil, 1, nil}, want: []any{nil, int64(1), nil}},
		{name: "a UTF-8 string", state: "echo", in: utf8Text, want: utf8Text},
		{name: "nested hashes and arrays", state: "echo",
			in:   map[string]any{"a": []any{1, "two", map[string]any{"x": nil}}, "h": map[string]any{}},
			want: map[string]any{"a": []any{int64(1), "two", map[string]any{"x": nil}}, "h": map[string]any{}}},
		{name: "a 1 MiB string", state: "echo", in: big, want: big},
		{name: "Perl's nested", state: "nested", want: map[string]any{
			"list":  []any{int64(1), "two", []any{int64(3), map[string]any{"four": int64(4)}}},
			"hash":  map[string]any{"a": map[string]any{"b": map[string]any{"c": "deep"}}},
			"undef": nil, "float": "0.5", "negative": int64(-100000)}},
		{name: "Perl's UTF-8", state: "utf8", want: utf8Text},
		{name: "Perl sees characters", state: "describe", in: utf8Text, want: perlSees},
		{name: "Perl's 1 MiB", state: "big", want: strings.Repeat("x", 1<<20)},
		{name: "a list in scalar context", state: "list", want: int64(3)},
		{name: "add", state: "add", in: []any{2, 3}, want: int64(5)},
	} {
		if got := g.call("poe://Server/echo/"+tc.state, tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %s, want %s", tc.name, short(got), short(tc.want))
		}
	}

	g.do(func(e *kernel.Event) { e.Kernel.Post("IKC", "call", "poe://Server/echo/notpub", "x", "poe:answer") })
	e := g.expect("monitor error", nil, wait)
	if len(e) < 6 || e[1] != "Server" || e[4] != "remote-check" ||
		!strings.Contains(fmt.Sprint(e[5]), "has not published state 'notpub'") {
		t.Errorf("the remote error of an unpublished state: %#v", e)
	}
	if got := srv.expect("MONITOR error ", wait); !strings.Contains(got, "op=local-check") {
		t.Errorf("the Perl monitor saw %s", got)
	}

	g.do(func(e *kernel.Event) { e.Kernel.Post("IKC", "post", "poe://Server/echo/sender_back", "ping") })
	srv.expect("GOT state=sender_back arg=", wait)
	if got := g.expect("called_back", nil, wait); !reflect.DeepEqual(got, []any{"pong", "ping"}) {
		t.Errorf("through the thunk, Go got %#v", got)
	}

	g.do(func(e *kernel.Event) {
		e.Kernel.Post("IKC", "subscribe", []string{"poe://Server/pub"}, "subscribed")
	})
	if got := g.expect("subscribed", nil, wait); !reflect.DeepEqual(got, []any{[]string{"poe://Server/pub"}}) {
		t.Errorf("subscribed %#v", got)
	}
	g.do(func(e *kernel.Event) { e.Kernel.Post("poe://Server/pub", "record", "via proxy", 2) })
	if got := srv.expect("GOT state=pub arg=", wait); got != `["via proxy",2]` {
		t.Errorf("through the proxy, Perl got %s", got)
	}
	if got := g.expect("called_back", nil, wait); !reflect.DeepEqual(got, []any{"proxied", "via proxy", int64(2)}) {
		t.Errorf("through the proxy's thunk, Go got %#v", got)
	}

	if serializer == "" {
		// Go offers msgpack first; Perl refuses it and takes Storable.
		checkNegotiation(t, r, proto, "Storable", "POE::Component::IKC::Go::MsgPack", "Storable", "FreezeThaw")
	} else {
		checkNegotiation(t, r, proto, serializer, serializer)
	}

	r.cut()
	srv.expect("MONITOR unregister name=GoCli ", wait)
	g.expect("monitor unregister", argIs(1, "Server"), wait)
	if !srv.alive() {
		t.Fatalf("the Perl server died; stderr:\n%s", srv.stderr)
	}
}

// short formats v with %#v, cut to 200 bytes.
func short(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
