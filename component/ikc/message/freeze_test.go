package message

import (
	"bytes"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/msgpack"
	"github.com/poe-go/poe/poe/serial/storable"
)

// recordKeys and addressKeys are the orders FreezeWith writes hash keys in.
var (
	recordKeys  = []string{"event", "params", "rsvp", "from", "wantarray", "is_error"}
	addressKeys = []string{"kernel", "session", "state"}
)

// orderedFreeze is what msgpack.Freeze makes of m.Value() when it happens
// to visit the keys in FreezeWith's order: the bytes FreezeWith must
// write.
func orderedFreeze(t *testing.T, m Message) []byte {
	t.Helper()
	h := m.Value()
	out := msgpack.AppendMapHeader(nil, len(h))
	for _, k := range recordKeys {
		v, ok := h[k]
		if !ok {
			continue
		}
		out = msgpack.AppendString(out, k)
		addr, isAddr := v.(map[string]any)
		if !isAddr || k == "params" {
			b, err := msgpack.Freeze(v)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b...)
			continue
		}
		out = msgpack.AppendMapHeader(out, len(addr))
		for _, ak := range addressKeys {
			if av, ok := addr[ak]; ok {
				out = msgpack.AppendString(out, ak)
				b, err := msgpack.Freeze(av)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, b...)
			}
		}
	}
	return out
}

// unordered reports whether v holds a hash of several keys, whose order
// Freeze does not fix.
func unordered(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if len(x) > 1 {
			return true
		}
		for _, e := range x {
			if unordered(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if unordered(e) {
				return true
			}
		}
	}
	return false
}

func freezeCases() []struct {
	name string
	m    Message
} {
	return []struct {
		name string
		m    Message
	}{
		{"a post with from", Post("poe://Server/echo/echo", "one-way post", proxyFrom(idC, "client"))},
		{"a post without from", Post("Server/echo/count", int64(70000), nil)},
		{"a call with a numeric rsvp session", Call("poe://Server/echo/echo", []any{"a", int64(-5), nil, 2.5}, SessionID("Client", 2, "reply"), proxyFrom(idC, "client"))},
		{"an rsvp session ID that is not a number", Call("S/e/e", nil, Address{Kernel: "C", Session: "x1", State: "r", SessionIsID: true}, nil)},
		{"a response to a hash event", Response(SessionID("Client", 2, "reply"), map[string]any{"k": []any{int64(1)}}, proxyFrom(idS, "echo"))},
		{"a proxied post", Proxied("Server", "echo", "post_back", []any{map[string]any{"state": "pb"}}, proxyFrom(idC, "client"))},
		{"a thunk reply to ClientLite", ThunkReply(*LiteFrom("Lite"), "lite_pb", []any{"D"}, proxyFrom(liteS, "echo"))},
		{"do_you_have with a stateless from", DoYouHave(Address{Kernel: "Server", Session: "echo"}, idC, "IKC:receipt 3")},
		{"a stateless address with a state keeps it", Message{Event: "poe://a/b/c", From: &Address{Kernel: "k", Session: "s", State: "st", NoState: true}}},
		{"a remote_error", RemoteError(ErrorsTo(idC), "text", strp("Server"), PhaseCheck)},
		{"a remote_error without kernel", RemoteError(ErrorsTo(idC), "text", nil, PhaseRequest)},
		{"a ClientLite call in scalar context", LiteCall("poe://Server/echo/echo", "hi", "Lite", 0, false)},
		{"a ClientLite call in list context", LiteCall("poe://Server/echo/echo", []any{int64(1)}, "Lite", 1, true)},
		{"long names", Post("poe://"+string(bytes.Repeat([]byte("k"), 300))+"/s/e", string(bytes.Repeat([]byte("p"), 70000)), nil)},
		{"extra keys", Message{Event: "poe://a/b/c", Params: int64(1), Extra: map[string]any{"x": "y"}}},
	}
}

// TestFreezeWithMatchesFreeze checks that a message freezes to the bytes
// its Value freezes to: with MessagePack the same bytes in FreezeWith's
// key order, thawing to the same record; with Storable, which sorts keys,
// the very same bytes.
func TestFreezeWithMatchesFreeze(t *testing.T) {
	for _, tc := range freezeCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.m.FreezeWith(msgpack.Default, []byte("head"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got[:4]) != "head" {
				t.Fatalf("FreezeWith did not append: %q", got[:4])
			}
			got = got[4:]
			generic, err := msgpack.Freeze(tc.m.Value())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(generic) {
				t.Errorf("%d bytes, Freeze makes %d", len(got), len(generic))
			}
			if len(tc.m.Extra) == 0 && !unordered(tc.m.Params) {
				if want := orderedFreeze(t, tc.m); !bytes.Equal(got, want) {
					t.Errorf("\n got %x\nwant %x", got, want)
				}
			}
			a, err := msgpack.Thaw(got)
			if err != nil {
				t.Fatal(err)
			}
			b, err := msgpack.Thaw(generic)
			if err != nil {
				t.Fatal(err)
			}
			if perlish(a) != perlish(b) {
				t.Errorf("thaws to %s, Freeze's to %s", perlish(a), perlish(b))
			}

			st, err := tc.m.FreezeWith(storable.Default, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := storable.Default.Freeze(nil, tc.m.Value())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(st, want) {
				t.Errorf("storable:\n got %x\nwant %x", st, want)
			}
		})
	}
}

// nested returns params nested n arrays deep.
func nested(n int) any {
	var v any = "leaf"
	for range n {
		v = []any{v}
	}
	return v
}

// TestFreezeWithFailsAsFreeze checks that what Freeze refuses, FreezeWith
// refuses with the same error and without writing anything: values of no
// data-model type and nesting past the limit, counted from the record.
func TestFreezeWithFailsAsFreeze(t *testing.T) {
	tests := []struct {
		name   string
		s      *msgpack.Serializer
		params any
	}{
		{"a channel in params", msgpack.Default, []any{make(chan int)}},
		{"params at the depth limit", msgpack.New(msgpack.Options{MaxDepth: 6}), nested(4)},
		{"params past the depth limit", msgpack.New(msgpack.Options{MaxDepth: 6}), nested(5)},
		{"a depth limit of one", msgpack.New(msgpack.Options{MaxDepth: 1}), "x"},
		{"a depth limit of two", msgpack.New(msgpack.Options{MaxDepth: 2}), []any{}},
		{"a depth limit of three", msgpack.New(msgpack.Options{MaxDepth: 3}), []any{"x"}},
		{"params past a depth limit of three", msgpack.New(msgpack.Options{MaxDepth: 3}), []any{[]any{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Call("poe://S/e/e", tc.params, SessionID("C", 1, "r"), proxyFrom("K", "s"))
			_, want := tc.s.Freeze(nil, m.Value())
			got, err := m.FreezeWith(tc.s, []byte("head"))
			if (err == nil) != (want == nil) || (err != nil && err.Error() != want.Error()) {
				t.Fatalf("error %v, Freeze's %v", err, want)
			}
			if err != nil && string(got) != "head" {
				t.Errorf("a failed FreezeWith left %q", got)
			}
		})
	}
	var nilMsg *Message
	if _, err := nilMsg.FreezeWith(msgpack.Default, nil); err == nil {
		t.Error("a nil *Message froze")
	}
}

// BenchmarkFreezeWith compares freezing a post with from straight from the
// struct against building Value and freezing that.
func BenchmarkFreezeWith(b *testing.B) {
	m := Post("poe://BenchServer/sink/count", int64(70000), proxyFrom(idC, "sender"))
	for _, s := range []serial.Serializer{msgpack.Default, storable.Default} {
		b.Run(s.Name()+"/struct", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				buf, _ = m.FreezeWith(s, buf[:0])
			}
		})
		b.Run(s.Name()+"/value", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				buf, _ = s.Freeze(buf[:0], m.Value())
			}
		})
	}
}
