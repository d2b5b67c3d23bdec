package responder

import (
	"fmt"
	"testing"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
)

func TestExtraRefsReadsTheKernelsCount(t *testing.T) {
	k := kernel.MustNew()
	defer k.Close()
	k.Create(kernel.Session{States: kernel.States{"_start": func(e *kernel.Event) any {
		if n := extraRefs(e.Session); n != 0 {
			t.Errorf("fresh session has %d extra references", n)
		}
		e.Kernel.RefcountIncrement(e.Session, "a")
		e.Kernel.RefcountIncrement(e.Session, "b")
		if n := extraRefs(e.Session); n != 2 {
			t.Errorf("extraRefs = %d, want 2 (the thunk reuse rule depends on it)", n)
		}
		e.Kernel.RefcountDecrement(e.Session, "a")
		e.Kernel.RefcountDecrement(e.Session, "b")
		return nil
	}}})
	k.Run()
}

func TestArgumentForms(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
		ok   bool
	}{
		{"a string is one name", "a", "[a]", true},
		{"a []string is taken as is", []string{"a", "b"}, "[a b]", true},
		{"a []any of scalars is converted", []any{"a", int64(2)}, "[a 2]", true},
		{"nil is no names", nil, "[]", true},
		{"a hash is refused", map[string]any{}, "[]", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := stringList(tc.in)
			if fmt.Sprint(got) != tc.want || ok != tc.ok {
				t.Errorf("stringList(%v) = %v, %v", tc.in, got, ok)
			}
		})
	}
	ev, data, ok := eventMap(map[string]any{"register": "up", "data": []int{1}})
	if !ok || ev["register"] != "up" || len(ev) != 1 || fmt.Sprint(data) != "[1]" {
		t.Errorf("eventMap = %v %v %v", ev, data, ok)
	}
	if _, _, ok := eventMap(map[string]any{"register": []int{1}}); ok {
		t.Error("eventMap accepted a non-scalar state")
	}
}

func TestBadRecordsAreRequestErrors(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, cs, _ := pair(t, c)
		monitorErrors(srv)
		monitorErrors(cli)
		for _, rec := range []any{
			"not a hash",
			map[string]any{"event": "poe://k/s.x/e", "params": nil},
			map[string]any{"event": map[string]any{"kernel": "Server", "session": "IKC", "state": "IKC:proxy"}, "params": "x"},
		} {
			srv.do(func(*kernel.Event) { srv.r.Request(cs, rec) })
		}
		for _, want := range []string{
			"local-request Malformed record",
			"local-request Invalid specifier",
			"local-request malformed IKC record: proxied params",
		} {
			got := srv.rec.next(t)
			if !contains(got, want) {
				t.Errorf("got %q, want %q in it", got, want)
			}
		}
		// Without a kernel part the peer reports under the ID and aliases
		// of the kernel that sent the error: 3 + 3 + 1.
		for range 7 {
			if got := cli.rec.next(t); !contains(got, "remote-request") {
				t.Errorf("got %q, want a remote-request error", got)
			}
		}
		// An error is never answered with an error.
		srv.do(func(*kernel.Event) {
			srv.r.Request(cs, map[string]any{"event": "poe://Server/nobody/x", "is_error": int64(1)})
		})
		if got := srv.rec.next(t); !contains(got, "local-check") {
			t.Errorf("got %q", got)
		}
		cli.rec.quiet(t, srv, cli)
	})
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestRawMessageAndAnyKernel(t *testing.T) {
	forEachCodec(t, func(t *testing.T, c codec) {
		srv, cli, _, _ := pair(t, c)
		echoServer(srv)
		cli.do(func(e *kernel.Event) {
			cli.r.RegisterLocal(nil)
			cli.r.Publish("runner", "echo")
			m := message.Post("poe://Server/echo/echo", "raw", nil)
			if n, _ := e.Kernel.Call(Alias, "raw_message", m, nil); n != 1 {
				t.Errorf("raw_message = %v", n)
			}
			if n, _ := e.Kernel.Call(Alias, "raw_message", m.Value(), nil); n != 1 {
				t.Errorf("raw_message of a hash = %v", n)
			}
			// "*" reaches every kernel, the local one included.
			n, err := cli.r.Post("poe://*/echo/echo", "all")
			if n != 2 || err != nil {
				t.Errorf("Post to * = %d, %v", n, err)
			}
		})
		srv.rec.expect(t, "echo raw", "echo raw", "echo all")
	})
}

// TestPost2AndRawMessageSendAsARG1 checks whose published alias is the
// from of a record sent by IKC/post2 or IKC/raw_message: the session ARG1
// names, or SENDER when it names none.
func TestPost2AndRawMessageSendAsARG1(t *testing.T) {
	srv, cli, _, cc := pair(t, codecs[0])
	echoServer(srv)
	var from string // the from of the last record cc sent, on cli's loop
	cc.drop = func(m *message.Message) bool {
		from = "none"
		if m.From != nil {
			from = m.From.Session
		}
		return false
	}
	cli.session("other", nil)
	cli.do(func(e *kernel.Event) {
		e.Kernel.AliasSet("runner")
		cli.r.Publish("runner", "x")
		cli.r.Publish("other", "y")
	})
	for _, tc := range []struct {
		name string
		send func(k *kernel.Kernel, as any) (any, error)
		as   any
		want string
	}{
		{"post2 sends as SENDER when ARG1 names no session", post2, nil, "runner"},
		{"post2 sends as the session ARG1 names", post2, "other", "other"},
		{"raw_message sends as SENDER when ARG1 names no session", rawMessage, nil, "runner"},
		{"raw_message sends as the session ARG1 names", rawMessage, "other", "other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cli.do(func(e *kernel.Event) {
				from = ""
				if n, err := tc.send(e.Kernel, tc.as); n != 1 || err != nil {
					t.Errorf("sent to %v kernels, %v; want 1", n, err)
				}
				if from != tc.want {
					t.Errorf("from = %q, want %q", from, tc.want)
				}
			})
			srv.rec.expect(t, "echo hi")
		})
	}
}

// post2 calls IKC/post2 to echo "hi" as the session as names.
func post2(k *kernel.Kernel, as any) (any, error) {
	return k.Call(Alias, "post2", "poe://Server/echo/echo", as, "hi")
}

// rawMessage calls IKC/raw_message with a post of "hi" to echo, sent as
// the session as names.
func rawMessage(k *kernel.Kernel, as any) (any, error) {
	return k.Call(Alias, "raw_message", message.Post("poe://Server/echo/echo", "hi", nil), as)
}

func TestDefaultKernel(t *testing.T) {
	c := codecs[1]
	cli := newSide(t, "Client")
	a := newSide(t, "A")
	b := newSide(t, "B")
	connect(t, a, cli, c, nil, nil)
	connect(t, b, cli, c, nil, nil)
	echoServer(a)
	echoServer(b)
	cli.do(func(e *kernel.Event) {
		if cli.r.defKernel != a.k.ID() {
			t.Errorf("default = %q, want the first registered", cli.r.defKernel)
		}
		e.Kernel.Call(Alias, "default", "B")
		cli.r.Post("poe:/echo/echo", "to B")
		if cli.r.SetDefault("Nobody") {
			t.Error("SetDefault accepted an unknown kernel")
		}
	})
	b.rec.expect(t, "echo to B")
}
