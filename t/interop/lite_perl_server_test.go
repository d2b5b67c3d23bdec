package interop_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/clientlite"
)

// perlServer is a running perl/ikc-server.pl.
type perlServer struct {
	*perlPeer
	port int
	unix string
}

func startPerlServer(t *testing.T, lib string, proto channel.Protocol, unix string, port int) *perlServer {
	t.Helper()
	args := []string{"--protocol", string(proto), "--name", "Server"}
	if unix != "" {
		args = append(args, "--unix", unix)
	} else {
		args = append(args, "--port", strconv.Itoa(port))
	}
	s := &perlServer{perlPeer: startPerl(t, lib, "ikc-server.pl", args...), unix: unix}
	ready := s.expect("READY ", startTimeout)
	if unix == "" {
		s.port = readyPort(t, "ikc-server.pl", ready)
	}
	return s
}

// readyPort is the port of a script's READY line, whose text after
// "READY" is ready ("port=<n>"); the test fails if there is none.
func readyPort(t *testing.T, script, ready string) int {
	t.Helper()
	p, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(ready), "port="))
	if err != nil || p == 0 {
		t.Fatalf("%s: READY %s", script, ready)
	}
	return p
}

var clients int

// connect connects a Go ClientLite with a name of its own: a Perl server
// keys its peers by name.
func (s *perlServer) connect(t *testing.T, proto channel.Protocol, timeout time.Duration) *clientlite.Client {
	t.Helper()
	clients++
	o := clientlite.Options{
		Name:     fmt.Sprintf("GoLite%d", clients),
		Protocol: proto,
		Timeout:  timeout,
	}
	if s.unix != "" {
		o.Unix = s.unix
	} else {
		o.Addr = fmt.Sprintf("127.0.0.1:%d", s.port)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := clientlite.Connect(ctx, o)
	if err != nil {
		t.Fatalf("Connect: %v; server stderr:\n%s", err, s.stderr)
	}
	t.Cleanup(func() { c.Disconnect() })
	return c
}

const utf8Text = "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c"

// TestClientLiteAgainstPerlServer is the Go ClientLite talking to
// POE::Component::IKC::Server over both negotiations and both
// transports: the scenario of IKC's t/20_clientlite.t and more data
// shapes.
func TestClientLiteAgainstPerlServer(t *testing.T) {
	lib := ikcLib(t)
	for _, proto := range []channel.Protocol{channel.IKC0, channel.IKC} {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(string(proto)+" over "+network, func(t *testing.T) {
				unix := ""
				if network == "unix" {
					unix = filepath.Join(t.TempDir(), "ikc.sock")
				}
				srv := startPerlServer(t, lib, proto, unix, 0)
				c := srv.connect(t, proto, 10*time.Second)
				t.Run("calls echo every shape of data", func(t *testing.T) { callShapes(t, c) })
				t.Run("calls states that compute", func(t *testing.T) { callStates(t, c) })
				t.Run("posts and post_respond", func(t *testing.T) { posts(t, srv, c) })
				t.Run("pings", func(t *testing.T) {
					if err := c.Ping(); err != nil {
						t.Fatalf("Ping after %s: %v", proto, err)
					}
				})
				t.Run("an unpublished state is a remote error", func(t *testing.T) {
					_, err := c.Call("echo/notpub", "x")
					var re *clientlite.RemoteError
					if !errors.As(err, &re) || !strings.Contains(re.Message, "has not published state 'notpub'") || re.Phase != "check" {
						t.Fatalf("err = %v, want the remote_error of the check phase", err)
					}
					if v, err := c.Call("echo/echo", "still up"); err != nil || v != "still up" {
						t.Fatalf("after the error: %#v, %v", v, err)
					}
				})
				t.Run("a timeout marks the connection down and the next call reconnects", func(t *testing.T) {
					short := srv.connect(t, proto, 300*time.Millisecond)
					if _, err := short.Call("echo/nothing", 1); !errors.Is(err, clientlite.ErrTimeout) {
						t.Fatalf("call of a state returning undef: %v, want ErrTimeout", err)
					}
					if v, err := short.Call("echo/echo", "again"); err != nil || v != "again" {
						t.Fatalf("after the timeout: %#v, %v", v, err)
					}
				})
				t.Run("disconnect and connect again", func(t *testing.T) {
					if err := c.Disconnect(); err != nil {
						t.Fatal(err)
					}
					if err := c.Post("echo/record", 1); !errors.Is(err, clientlite.ErrClosed) {
						t.Fatalf("Post after Disconnect: %v", err)
					}
					c2 := srv.connect(t, proto, 10*time.Second)
					if v, err := c2.Call("echo/echo", "new"); err != nil || v != "new" {
						t.Fatalf("new client: %#v, %v", v, err)
					}
				})
				if !srv.alive() {
					t.Fatalf("the Perl server died; stderr:\n%s", srv.stderr)
				}
			})
		}
	}
}

func callShapes(t *testing.T, c *clientlite.Client) {
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	for _, tc := range []struct {
		name   string
		in     any
		want   any
		list   bool
		wantLs []any
	}{
		{name: "a string", in: "hello", want: "hello"},
		{name: "an empty string", in: "", want: ""},
		{name: "a small integer", in: 42, want: int64(42)},
		{name: "a negative 32-bit integer", in: -100000, want: int64(-100000)},
		{name: "a 64-bit integer travels as its decimal text", in: int64(1) << 40, want: "1099511627776"},
		{name: "a float travels as its text", in: 2.5, want: "2.5"},
		{name: "an integral float travels as an integer", in: 3.0, want: int64(3)},
		{name: "a UTF-8 string", in: utf8Text, want: utf8Text},
		{name: "a nested structure", in: map[string]any{"a": []any{1, "two", map[string]any{"x": nil}}, "h": map[string]any{}},
			want: map[string]any{"a": []any{int64(1), "two", map[string]any{"x": nil}}, "h": map[string]any{}}},
		{name: "undef inside an array", in: []any{nil, 1, nil}, want: []any{nil, int64(1), nil}},
		{name: "a 1 MiB string", in: big, want: big},
		{name: "list context", in: []any{1, 2}, list: true, wantLs: []any{[]any{int64(1), int64(2)}}},
	} {
		var got any
		var err error
		if tc.list {
			got, err = c.CallList("echo/echo", tc.in)
			tc.want = tc.wantLs
		} else {
			got, err = c.Call("echo/echo", tc.in)
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: echo returned %.200#v, want %.200#v", tc.name, got, tc.want)
		}
	}
}

func callStates(t *testing.T, c *clientlite.Client) {
	for _, tc := range []struct {
		state string
		in    any
		want  any
	}{
		{"add", []any{2, 3}, int64(5)},
		{"add", []any{1.5, 2.25}, "3.75"},
		{"nested", nil, map[string]any{
			"list":  []any{int64(1), "two", []any{int64(3), map[string]any{"four": int64(4)}}},
			"hash":  map[string]any{"a": map[string]any{"b": map[string]any{"c": "deep"}}},
			"undef": nil, "float": "0.5", "negative": int64(-100000)}},
		{"utf8", nil, utf8Text},
		{"describe", utf8Text, fmt.Sprintf("length=%d utf8=1", len([]rune(utf8Text)))},
		{"describe", "plain", "length=5 utf8=0"},
		{"big", nil, strings.Repeat("x", 1<<20)},
		{"list", nil, int64(3)},
	} {
		got, err := c.Call("echo/"+tc.state, tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.state, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s(%.80v) returned %.200#v, want %.200#v", tc.state, tc.in, got, tc.want)
		}
	}
	if l, err := c.CallList("echo/list", nil); err != nil || !reflect.DeepEqual(l, []any{int64(1), int64(2), int64(3)}) {
		t.Errorf("list in list context: %#v, %v", l, err)
	}
}

func posts(t *testing.T, srv *perlServer, c *clientlite.Client) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"text", `"text"`},
		{map[string]any{"k": []any{1, nil, "v"}}, `{"k" => [1,undef,"v"]}`},
		{utf8Text, `"h\x{e9}llo w\x{f6}rld \x{2713} \x{65e5}\x{672c}"`},
	} {
		if err := c.Post("echo/record", tc.in); err != nil {
			t.Fatal(err)
		}
		if got := srv.expect("GOT state=record arg=", 10*time.Second); got != tc.want {
			t.Errorf("the server got %s, want %s", got, tc.want)
		}
	}
	if v, err := c.PostRespond("echo/add_1", 7); err != nil || v != int64(8) {
		t.Errorf("post_respond add_1: %#v, %v", v, err)
	}
	data := map[string]any{"pr": []any{int64(1), "x"}}
	if v, err := c.PostRespond("echo/post_back", data); err != nil || !reflect.DeepEqual(v, data) {
		t.Errorf("post_respond post_back: %#v, %v", v, err)
	}
}

// TestClientLiteReconnectsToARestartedPerlServer kills the Perl server
// between two requests and starts it again on the same port: the client
// notices the closed connection and negotiates anew, with both protocols.
func TestClientLiteReconnectsToARestartedPerlServer(t *testing.T) {
	lib := ikcLib(t)
	for _, proto := range []channel.Protocol{channel.IKC0, channel.IKC} {
		t.Run(string(proto), func(t *testing.T) {
			srv := startPerlServer(t, lib, proto, "", 0)
			c := srv.connect(t, proto, 10*time.Second)
			if v, err := c.Call("echo/echo", "first"); err != nil || v != "first" {
				t.Fatalf("first call: %#v, %v", v, err)
			}
			srv.stop()
			srv2 := startPerlServer(t, lib, proto, "", srv.port)
			if err := c.Post("echo/record", "after restart"); err != nil {
				t.Fatalf("post after restart: %v", err)
			}
			if got := srv2.expect("GOT state=record arg=", 10*time.Second); got != `"after restart"` {
				t.Errorf("the new server got %s", got)
			}
			if v, err := c.Call("echo/echo", "second"); err != nil || v != "second" {
				t.Fatalf("call after restart: %#v, %v", v, err)
			}
		})
	}
}
