package message

import (
	"errors"
	"testing"
)

const (
	idC = "vm-6b037b85-0000224b-00000001" // client kernel ID of the samples
	idS = "vm-6b037b83-00002247-00000001" // server kernel ID of the samples
	// the same two in the ikc0-storable capture
	capC = "vm-6b037fb5-0000267d-00000001"
	capS = "vm-6b037fb5-0000266e-00000001"
	// the server of lite-ikc-storable
	liteS = "vm-6b037fb7-000026ce-00000001"
)

func proxyFrom(kernel, session string) *Address {
	return &Address{Kernel: kernel, Session: session, State: ProxyState}
}

func strp(s string) *string { return &s }

func TestConstructorsMatchPerl(t *testing.T) {
	samples := loadSamples(t)
	capture := loadFrames(t, "ikc0-storable")
	lite := loadFrames(t, "lite-ikc-storable")
	receipt := "IKC:receipt 3 CODE(0x55d0c1a2b3c4)poe://Server/echo"
	tests := []struct {
		name string
		got  Message
		want any
	}{
		{"a post from a published session carries from", Post("poe://Server/echo/echo", "one-way post", proxyFrom(idC, "client")), samples["ikc-post"]},
		{"a post from an unpublished session has no from", Post("Server/echo/count", "c1", nil), samples["ikc-post-no-from"]},
		{"a call names the caller's session ID in rsvp", Call("poe://Server/echo/echo", "hello world", SessionID("Client", 2, "reply"), proxyFrom(idC, "client")), samples["ikc-call"]},
		{"a response is addressed to the rsvp hash", Response(SessionID("Client", 2, "reply"), "hello world", proxyFrom(idS, "echo")), samples["ikc-response"]},
		{"a proxied post carries [state, [args]]", Proxied("Server", "echo", "post_back", []any{map[string]any{"state": "pb_proxy", "data": "via proxy"}}, proxyFrom(idC, "client")), samples["ikc-proxied-post"]},
		{"a thunk reply goes back to the request's from", ThunkReply(*proxyFrom(idC, "client"), "pb_sender", []any{map[string]any{"n": int64(1), "list": []any{int64(1), "two", nil}}}, proxyFrom(idS, "echo")), samples["ikc-thunk-reply"]},
		{"do_you_have asks the remote IKC session with a receipt", DoYouHave(Address{Kernel: "Server", Session: "echo"}, idC, receipt), samples["ikc-do-you-have"]},
		{"an accepted receipt returns the spec and the answering kernel", ReceiptAccepted(Address{Kernel: idC, Session: "IKC", State: receipt}, Address{Kernel: "Server", Session: "echo"}, idS, proxyFrom(idS, "IKC")), samples["ikc-receipt-accepted"]},
		{"a refused receipt is a plain string", ReceiptRefused(Address{Kernel: idC, Session: "IKC", State: "IKC:receipt 3 CODE(0x55d0c1a2b3c4)poe://Server/nosuch"}, "poe://Server/nosuch", nil), samples["ikc-receipt-refused"]},
		{"a remote_error has is_error and no from", RemoteError(ErrorsTo(idC), "Session 'echo' has not published state 'notpub'.  Request poe://Server/echo/notpub sent by poe://"+idC+"/client/IKC:proxy", strp("Server"), PhaseCheck), samples["ikc-remote-error"]},
		{"the answer of IKC/ping is PONG", Response(SessionID("Client", 2, "reply"), "PONG", proxyFrom(idS, "IKC")), samples["ikc-ping-response"]},
		{"a ClientLite call in scalar context has wantarray empty", LiteCall("poe://Server/echo/echo", "hi", "Lite", 0, false), samples["lite-call"]},
		{"a ClientLite call in list context has wantarray 1", LiteCall("poe://Server/echo/echo", []any{int64(1), int64(2), int64(3)}, "Lite", 1, true), samples["lite-call-list"]},
		{"a ClientLite post_respond carries [data, rsvp]", LitePostRespond("poe://Server/echo/post_back", map[string]any{"pr": []any{int64(1), "x"}}, "Lite", 2), samples["lite-post-respond"]},
		// From the recorded connections.
		{"a call of IKC/ping is a plain call", Call("poe://Server/IKC/ping", "PING", SessionID("Client", 2, "reply"), proxyFrom(capC, "client")), capture[3].Decoded},
		{"a post to echo/count", Post("poe://Server/echo/count", "c1", proxyFrom(capC, "client")), capture[9].Decoded},
		{"a thunk reply to an IKC client is proxied", ThunkReply(*proxyFrom(capC, "client"), "pb_sender", []any{map[string]any{"list": []any{int64(1), "two", nil}, "n": int64(1), "s": "text"}}, proxyFrom(capS, "echo")), capture[20].Decoded},
		{"a remote_error for an unpublished state", RemoteError(ErrorsTo(capC), "Session 'echo' has not published state 'notpub'.  Request poe://Server/echo/notpub sent by poe://"+capC+"/client/IKC:proxy", strp("Server"), PhaseCheck), capture[28].Decoded},
		{"ClientLite's ping has no from", LitePing(liteS, "Lite"), lite[16].Decoded},
		{"ClientLite's post is relative to the remote", LitePost("poe://127.0.0.1:33423/echo/count", "c1", "Lite"), lite[22].Decoded},
		{"a thunk reply to ClientLite uses the event as state", ThunkReply(*LiteFrom("Lite"), "lite_pb", []any{"D"}, proxyFrom(liteS, "echo")), lite[35].Decoded},
		{"a remote_error to ClientLite", RemoteError(ErrorsTo("Lite"), "Session 'echo' has not published state 'notpub'.  Request poe://127.0.0.1:33423/echo/notpub sent by poe://Lite/IKCLite", strp("127.0.0.1:33423"), PhaseCheck), lite[37].Decoded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == nil {
				t.Fatal("no vector")
			}
			if got, want := perlish(tc.got.Value()), perlish(tc.want); got != want {
				t.Errorf("\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestWireTypes(t *testing.T) {
	t.Run("an rsvp session ID travels as an integer", func(t *testing.T) {
		v := Call("Srv/echo/echo", "x", SessionID("", 2, "cb"), nil).Value()
		if s := v["rsvp"].(map[string]any)["session"]; s != int64(2) {
			t.Errorf("session = %#v", s)
		}
	})
	t.Run("a response keeps the integer session of the rsvp it answers", func(t *testing.T) {
		in, err := FromValue(map[string]any{"event": "poe://S/e/e", "params": nil,
			"rsvp": map[string]any{"kernel": "C", "session": int64(2), "state": "cb"}})
		if err != nil {
			t.Fatal(err)
		}
		ev := Response(*in.RSVP, "r", nil).Value()["event"].(map[string]any)
		if ev["session"] != int64(2) {
			t.Errorf("session = %#v", ev["session"])
		}
	})
	t.Run("wantarray is a string and is_error an integer", func(t *testing.T) {
		if w := LiteCall("t", nil, "L", 0, true).Value()["wantarray"]; w != "1" {
			t.Errorf("wantarray = %#v", w)
		}
		if w := LiteCall("t", nil, "L", 0, false).Value()["wantarray"]; w != "" {
			t.Errorf("wantarray = %#v", w)
		}
		if e := RemoteError(ErrorsTo("K"), "x", nil, PhaseRequest).Value()["is_error"]; e != int64(1) {
			t.Errorf("is_error = %#v", e)
		}
	})
	t.Run("an unknown kernel in a remote_error is undef", func(t *testing.T) {
		p := RemoteError(ErrorsTo("K"), "x", nil, PhaseCheck).Value()["params"].([]any)
		if p[1] != nil {
			t.Errorf("kernel = %#v", p[1])
		}
	})
	t.Run("a ClientLite from has no state key", func(t *testing.T) {
		if _, has := LiteFrom("L").Value()["state"]; has {
			t.Error("state key present")
		}
	})
	t.Run("the rsvp kernel is filled only when empty", func(t *testing.T) {
		m := Call("Srv/e/e", nil, SessionID("", 2, "cb"), nil)
		m.FillKernel("Cli")
		m.FillKernel("Other")
		if m.RSVP.Kernel != "Cli" {
			t.Errorf("kernel = %q", m.RSVP.Kernel)
		}
	})
}

func TestFromValue(t *testing.T) {
	t.Run("a record's parts are read back", func(t *testing.T) {
		m, err := FromValue(map[string]any{
			"event":  map[string]any{"kernel": "S", "session": "echo", "state": ProxyState},
			"params": []any{"st", []any{"a", int64(1)}}, "wantarray": "1", "is_error": "",
			"from":      map[string]any{"kernel": "L", "session": "IKCLite"},
			"errors_to": map[string]any{"kernel": "forged"}, "call": "x", "extra": int64(5),
		})
		if err != nil {
			t.Fatal(err)
		}
		if m.Want != WantList || m.IsError || m.From == nil || !m.From.NoState || m.Kind() != KindProxied {
			t.Errorf("got %+v", m)
		}
		if _, has := m.Extra["errors_to"]; has || m.Extra["extra"] != int64(5) || len(m.Extra) != 1 {
			t.Errorf("extra = %#v", m.Extra)
		}
		st, args, err := m.Unproxy()
		if err != nil || st != "st" || len(args) != 2 {
			t.Errorf("Unproxy = %q, %#v, %v", st, args, err)
		}
	})
	t.Run("an event that is no specifier is kept for the responder to refuse", func(t *testing.T) {
		m, err := FromValue(map[string]any{"event": "not/a/valid/one"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Target(); err == nil {
			t.Error("Target accepted an invalid specifier")
		}
	})
	t.Run("a remote_error's report is read", func(t *testing.T) {
		m, _ := FromValue(RemoteError(ErrorsTo("K"), "boom", strp("Srv"), PhaseResolve).Value())
		text, kernel, hasKernel, phase, err := m.ErrorReport()
		if err != nil || text != "boom" || kernel != "Srv" || !hasKernel || phase != "resolve" || m.Kind() != KindRemoteError {
			t.Errorf("got %q %q %v %q %v", text, kernel, hasKernel, phase, err)
		}
	})
	malformed := []struct {
		name string
		in   any
	}{
		{"undef is not a record", nil},
		{"an array is not a record", []any{"event"}},
		{"a scalar is not a record", int64(5)},
		{"a record needs an event", map[string]any{"params": "x"}},
		{"an event may not be an array", map[string]any{"event": []any{"s", "e"}}},
		{"an event hash may not hold references", map[string]any{"event": map[string]any{"kernel": []any{}}}},
		{"an rsvp must be a hash", map[string]any{"event": "poe://k/s/e", "rsvp": "poe://k/s/e"}},
		{"a from must be a hash", map[string]any{"event": "poe://k/s/e", "from": []any{}}},
		{"wantarray must be a scalar", map[string]any{"event": "poe://k/s/e", "wantarray": []any{}}},
		{"is_error must be a scalar", map[string]any{"event": "poe://k/s/e", "is_error": map[string]any{}}},
	}
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			if m, err := FromValue(tc.in); !errors.Is(err, ErrMalformed) {
				t.Errorf("FromValue = %+v, %v; want ErrMalformed", m, err)
			}
		})
	}
	t.Run("malformed proxied params are refused", func(t *testing.T) {
		for _, p := range []any{nil, "x", []any{}, []any{"st", "notarray"}, []any{[]any{}, []any{}}} {
			if _, _, err := (Message{Params: p}).Unproxy(); !errors.Is(err, ErrMalformed) {
				t.Errorf("Unproxy(%#v) err = %v", p, err)
			}
		}
	})
}

// FuzzFromValue builds records from random scalars in every key and
// checks that reading never panics and that what reads writes back to
// something that reads the same.
func FuzzFromValue(f *testing.F) {
	f.Add("poe://k/s/e", "k", int64(2), "st", "1", true)
	f.Add("", "", int64(0), "", "", false)
	f.Fuzz(func(t *testing.T, event, kernel string, session int64, state, want string, hashEvent bool) {
		addr := map[string]any{"kernel": kernel, "session": session, "state": state}
		rec := map[string]any{"event": event, "params": []any{state, []any{kernel}}, "rsvp": addr, "wantarray": want}
		if hashEvent {
			rec["event"] = addr
		}
		m, err := FromValue(rec)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := FromValue(m.Value())
		if err != nil {
			t.Fatal(err)
		}
		if perlish(m2.Value()) != perlish(m.Value()) {
			t.Fatalf("unstable: %s vs %s", perlish(m.Value()), perlish(m2.Value()))
		}
		_, _ = m.Target()
		_, _, _ = m.Unproxy()
		_ = m.Kind()
	})
}

func BenchmarkFromValue(b *testing.B) {
	rec := Call("poe://Server/echo/echo", "hello world", SessionID("Client", 2, "reply"), proxyFrom(capC, "client")).Value()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromValue(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValue(b *testing.B) {
	m := Response(SessionID("Client", 2, "reply"), "hello world", proxyFrom(capS, "echo"))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Value()
	}
}
