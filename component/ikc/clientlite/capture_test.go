package clientlite

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/poe/serial/storable"
)

// item is one line or frame of a recorded connection between Perl's
// ClientLite and a Perl IKC server (testdata/*.order).
type item struct {
	c2s   bool
	frame bool
	data  []byte // the line with CR LF, or the whole frame
}

func loadCapture(t *testing.T, name string) []item {
	t.Helper()
	c2s, err := os.ReadFile(filepath.Join("testdata", name+".client-to-server.bin"))
	if err != nil {
		t.Fatal(err)
	}
	s2c, err := os.ReadFile(filepath.Join("testdata", name+".server-to-client.bin"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", name+".order"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var items []item
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var seq, off, n int
		var dir, kind string
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		if _, err := fmt.Sscan(sc.Text(), &seq, &dir, &kind, &off, &n); err != nil {
			t.Fatalf("%s: %q: %v", name, sc.Text(), err)
		}
		src := s2c
		if dir == "c2s" {
			src = c2s
		}
		items = append(items, item{c2s: dir == "c2s", frame: kind == "frame", data: src[off : off+n]})
	}
	return items
}

// capturedAddr is the address Perl's ClientLite was configured with in
// the legacy capture: it names the server in every relative specifier.
const capturedAddr = "127.0.0.1:33423"

// expected turns a captured client item into the bytes this client must
// write: the PID and the configured address are this run's, and frames
// are re-frozen with sorted hash keys (Perl's key order is arbitrary).
func expected(t *testing.T, it item, addr string) []byte {
	t.Helper()
	if !it.frame {
		line := string(it.data)
		if i := strings.Index(line, ";PID="); i >= 0 {
			line = line[:i] + ";PID=" + strconv.Itoa(os.Getpid()) + "\r\n"
		}
		return []byte(line)
	}
	_, hdr, err := parseHeader(it.data, DefaultMaxFrame)
	if err != nil {
		t.Fatal(err)
	}
	v, err := storable.Thaw(it.data[hdr:])
	if err != nil {
		t.Fatal(err)
	}
	b, err := storable.Freeze(substitute(v, capturedAddr, addr))
	if err != nil {
		t.Fatal(err)
	}
	return append(append(strconv.AppendInt(nil, int64(len(b)), 10), 0), b...)
}

func substitute(v any, old, new string) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, old, new)
	case []any:
		for i := range x {
			x[i] = substitute(x[i], old, new)
		}
	case map[string]any:
		for k := range x {
			x[k] = substitute(x[k], old, new)
		}
	}
	return v
}

// replay plays the server's side of a capture on one connection: it
// writes the captured server bytes and checks that every client item
// arrives as expected.
func replay(t *testing.T, srv *fakeServer, items []item) {
	p := srv.accept()
	if p == nil {
		return
	}
	addr := fmt.Sprintf("127.0.0.1:%d", srv.port())
	for i, it := range items {
		if !it.c2s {
			p.raw(it.data)
			continue
		}
		want := expected(t, it, addr)
		var got []byte
		if it.frame {
			b, err := p.rd.frame()
			if err != nil {
				t.Errorf("item %d: %v", i+1, err)
				return
			}
			got = append(strconv.AppendInt(nil, int64(len(b)), 10), 0)
			got = append(got, b...)
		} else {
			line, err := p.rd.line(maxLineLength)
			if err != nil {
				t.Errorf("item %d: %v", i+1, err)
				return
			}
			got = []byte(line + "\r\n")
		}
		if !bytes.Equal(got, want) {
			t.Errorf("item %d: client wrote\n%q\nwant\n%q", i+1, got, want)
			return
		}
	}
}

// TestCapturedSessions mirrors the scenario of the recorded Perl
// ClientLite sessions (call, post, list call, post_respond, responded,
// an unpublished state) and checks the bytes it writes and the values it
// decodes from the recorded Perl server.
func TestCapturedSessions(t *testing.T) {
	for _, tc := range []struct {
		capture string
		proto   channel.Protocol
	}{
		{"lite-ikc0-storable", channel.IKC0},
		{"lite-ikc-storable", channel.IKC},
	} {
		t.Run(tc.capture+" replays byte for byte", func(t *testing.T) {
			items := loadCapture(t, tc.capture)
			srv := newFakeServer(t, "tcp")
			done := make(chan struct{})
			go func() { defer close(done); replay(t, srv, items) }()
			defer func() { <-done }()

			opts := srv.options()
			opts.Protocol = tc.proto
			opts.Addr = fmt.Sprintf("127.0.0.1:%d", srv.port())
			c, err := Connect(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Disconnect()
			if tc.proto == channel.IKC {
				if err := c.Ping(); err != nil {
					t.Fatalf("Ping: %v", err)
				}
			}
			runCapturedScenario(t, c)
		})
	}
}

func runCapturedScenario(t *testing.T, c *Client) {
	check := func(what string, got any, err error, want any) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s = %#v, want %#v", what, got, want)
		}
	}
	v, err := c.Call("echo/echo", "hello world")
	check("call echo", v, err, "hello world")
	v, err = c.Call("echo/reset_count", 0)
	check("call reset_count", v, err, int64(0))
	for i := 1; i <= 5; i++ {
		check("post count", nil, c.Post("echo/count", fmt.Sprintf("c%d", i)), nil)
	}
	check("post echo", nil, c.Post("echo/echo", "one-way post from lite"), nil)
	v, err = c.Call("echo/get_count", 0)
	check("call get_count", v, err, int64(5))
	l, err := c.CallList("echo/echo", []any{1, 2, 3})
	check("call echo in list context", l, err, []any{[]any{int64(1), int64(2), int64(3)}})
	v, err = c.PostRespond("echo/post_back", map[string]any{"pr": []any{1, "x"}})
	check("post_respond", v, err, map[string]any{"pr": []any{int64(1), "x"}})
	check("post post_back", nil, c.Post("echo/post_back", map[string]any{"data": "D", "state": "lite_pb"}), nil)
	v, err = c.Responded("lite_pb")
	check("responded", v, err, []any{"D"})

	_, err = c.Call("echo/notpub", "x")
	var re *RemoteError
	if !errors.As(err, &re) || !strings.HasPrefix(re.Message, "Session 'echo' has not published state 'notpub'.") || re.Phase != "check" {
		t.Fatalf("call notpub: %v, want the server's remote_error", err)
	}
	check("post shutdown", nil, c.Post("echo/shutdown", "bye"), nil)
}
