package message

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/msgpack"
	"github.com/poe-go/poe/poe/serial/storable"
)

// generic is what a record costs without a Decoder: Thaw, then FromValue.
func generic(s serial.Serializer, data []byte) (m Message, thawErr, recErr error) {
	v, thawErr := s.Thaw(data)
	if thawErr != nil {
		return Message{}, thawErr, nil
	}
	m, recErr = FromValue(v)
	return m, nil, recErr
}

// sameAsGeneric checks that d.Thaw agrees with Thaw then FromValue on
// data, and reports whether it decoded a *Message itself.
func sameAsGeneric(t *testing.T, d *Decoder, s serial.Serializer, data []byte) bool {
	t.Helper()
	want, thawErr, recErr := generic(s, data)
	got, err := d.Thaw(data)
	if thawErr != nil {
		if err == nil || err.Error() != thawErr.Error() {
			t.Fatalf("Thaw error %v, want %v", err, thawErr)
		}
		return false
	}
	if err != nil {
		t.Fatalf("Thaw error %v where the serializer thaws", err)
	}
	m, direct := got.(*Message)
	if !direct {
		var gotErr error
		var gm Message
		if gm, gotErr = FromValue(got); gotErr == nil {
			m = &gm
		}
		if (gotErr == nil) != (recErr == nil) || (gotErr != nil && gotErr.Error() != recErr.Error()) {
			t.Fatalf("FromValue error %v, want %v", gotErr, recErr)
		}
		if gotErr != nil {
			return false
		}
	} else if recErr != nil {
		t.Fatalf("decoded %+v where FromValue fails: %v", m, recErr)
	}
	if !reflect.DeepEqual(withoutNaN(*m), withoutNaN(want)) {
		t.Fatalf("\n got %s\nwant %s", dump(m), dump(&want))
	}
	return direct
}

// nanMark stands in for a NaN in withoutNaN's copies: NaN is unequal to
// itself, so reflect.DeepEqual would tell two equal records apart.
type nanMark struct{}

// withoutNaN returns m with every NaN in its params and extra keys
// replaced by nanMark.
func withoutNaN(m Message) Message {
	m.Params = noNaN(m.Params)
	if m.Extra != nil {
		m.Extra = noNaN(m.Extra).(map[string]any)
	}
	return m
}

// noNaN returns v with every NaN in it replaced by nanMark. Thaw returns
// every float as a float64.
func noNaN(v any) any {
	return serial.MapLeaves(v, func(v any) any {
		if f, ok := v.(float64); ok && math.IsNaN(f) {
			return nanMark{}
		}
		return v
	})
}

func dump(m *Message) string {
	return fmt.Sprintf("%s event %+v rsvp %+v from %+v", perlish(m.Value()), m.EventAddr, m.RSVP, m.From)
}

// rec writes a MessagePack map of the given pairs, keys and values already
// encoded, in order.
func rec(pairs ...[]byte) []byte {
	out := msgpack.AppendMapHeader(nil, len(pairs)/2)
	for _, p := range pairs {
		out = append(out, p...)
	}
	return out
}

func str(s string) []byte { return msgpack.AppendString(nil, s) }

func i64(n int64) []byte { return msgpack.AppendInt(nil, n) }

func enc(v any) []byte {
	b, err := msgpack.Freeze(v)
	if err != nil {
		panic(err)
	}
	return b
}

var mpNil = []byte{0xc0}

// freezeMsg freezes m as a channel does.
func freezeMsg(m Message, s serial.Serializer) ([]byte, error) { return m.FreezeWith(s, nil) }

// TestDecoderAgreesWithFromValue checks the Decoder on records of every
// shape a peer may send: each decodes to what Thaw then FromValue make of
// it, and the ones IKC writes are decoded directly.
func TestDecoderAgreesWithFromValue(t *testing.T) {
	addr := func(pairs ...[]byte) []byte { return rec(pairs...) }
	tests := []struct {
		name   string
		data   []byte
		direct bool
	}{
		{"a post", rec(str("event"), str("poe://S/e/e"), str("params"), i64(70000)), true},
		{"params first", rec(str("params"), enc([]any{"a", nil}), str("event"), str("poe://S/e/e")), true},
		{"no params", rec(str("event"), str("poe://S/e/e")), true},
		{"an rsvp with a session ID", rec(str("event"), str("x"), str("rsvp"), addr(str("kernel"), str("C"), str("session"), i64(2), str("state"), str("r"))), true},
		{"an integer kernel after an integer session", rec(str("event"), str("x"), str("rsvp"), addr(str("session"), i64(2), str("kernel"), i64(7))), true},
		{"a stateless from", rec(str("event"), str("x"), str("from"), addr(str("kernel"), str("L"), str("session"), str("IKCLite"))), true},
		{"nil address fields", rec(str("event"), addr(str("kernel"), mpNil, str("session"), mpNil, str("state"), mpNil)), true},
		{"an address with other keys", rec(str("event"), addr(str("kernel"), str("k"), str("x"), enc([]any{1}), str("state"), str("s"))), true},
		{"nil rsvp and from", rec(str("event"), str("x"), str("rsvp"), mpNil, str("from"), mpNil), true},
		{"wantarray empty", rec(str("event"), str("x"), str("wantarray"), str("")), true},
		{"wantarray 1", rec(str("event"), str("x"), str("wantarray"), str("1")), true},
		{"wantarray 0", rec(str("event"), str("x"), str("wantarray"), str("0")), true},
		{"wantarray nil", rec(str("event"), str("x"), str("wantarray"), mpNil), true},
		{"wantarray an integer", rec(str("event"), str("x"), str("wantarray"), i64(1)), false},
		{"is_error 1", rec(str("event"), str("x"), str("is_error"), i64(1)), true},
		{"is_error 0", rec(str("event"), str("x"), str("is_error"), i64(0)), true},
		{"is_error a string", rec(str("event"), str("x"), str("is_error"), str("0")), true},
		{"is_error nil", rec(str("event"), str("x"), str("is_error"), mpNil), true},
		{"is_error true", rec(str("event"), str("x"), str("is_error"), []byte{0xc3}), false},
		{"errors_to and call are dropped", rec(str("event"), str("x"), str("errors_to"), addr(str("kernel"), str("k")), str("call"), i64(1)), true},
		{"other keys are kept", rec(str("event"), str("x"), str("extra"), enc(map[string]any{"a": "b"}), str("more"), mpNil), true},
		{"an extra key twice", rec(str("event"), str("x"), str("extra"), i64(1), str("extra"), i64(2)), true},
		{"a bin event", rec(str("event"), msgpack.AppendBytes(nil, []byte("poe://S/e/e"))), true},
		{"a str 8 event", rec(str("event"), str(strings.Repeat("e", 200))), true},
		{"event twice", rec(str("event"), str("a"), str("event"), str("b")), false},
		{"a session twice", rec(str("event"), addr(str("session"), str("a"), str("session"), str("b"))), false},
		{"a float session", rec(str("event"), addr(str("session"), enc(1.5))), false},
		{"no event", rec(str("params"), i64(1)), false},
		{"a nil event", rec(str("event"), mpNil), false},
		{"an array event", rec(str("event"), enc([]any{"s", "e"})), false},
		{"an array rsvp", rec(str("event"), str("x"), str("rsvp"), enc([]any{})), false},
		{"a string from", rec(str("event"), str("x"), str("from"), str("k")), false},
		{"a non-string key", append(msgpack.AppendMapHeader(nil, 1), append(i64(1), i64(2)...)...), false},
		{"an array record", enc([]any{"event", "x"}), false},
		{"a string record", enc("poe://S/e/e"), false},
		{"trailing bytes", append(rec(str("event"), str("x")), 0xc0), false},
		{"truncated", rec(str("event"), str("x"), str("params"))[:12], false},
		{"a cut address", rec(str("event"), addr(str("kernel"), str("k")))[:12], false},
	}
	d := NewDecoder(msgpack.Default)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if direct := sameAsGeneric(t, d, msgpack.Default, tc.data); direct != tc.direct {
				t.Errorf("decoded directly: %v, want %v", direct, tc.direct)
			}
		})
	}
	for _, tc := range freezeCases() {
		t.Run("frozen "+tc.name, func(t *testing.T) {
			data, err := tc.m.FreezeWith(msgpack.Default, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !sameAsGeneric(t, d, msgpack.Default, data) {
				t.Error("not decoded directly")
			}
		})
	}
}

// TestDecoderLimits checks that the Decoder refuses, by handing the
// record to Thaw, what Thaw refuses for its limits.
func TestDecoderLimits(t *testing.T) {
	data, err := freezeMsg(Call("poe://S/e/e", []any{[]any{"deep"}}, SessionID("C", 2, "r"), proxyFrom("K", "s")), msgpack.Default)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []msgpack.Options{{MaxDepth: 1}, {MaxDepth: 2}, {MaxDepth: 3}, {MaxItems: 10}, {MaxItems: 25}, {MaxItems: 26}} {
		s := msgpack.New(o)
		sameAsGeneric(t, NewDecoder(s), s, data)
	}
}

// TestDecoderOtherSerializers checks that without MessagePack the Decoder
// is the serializer's Thaw.
func TestDecoderOtherSerializers(t *testing.T) {
	data, err := freezeMsg(Post("poe://S/e/e", "x", nil), storable.Default)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(storable.Default)
	if sameAsGeneric(t, d, storable.Default, data) {
		t.Error("decoded Storable directly")
	}
}

// TestDecoderSharesNames checks that names repeated across records are
// one string, and that evicting names from the fixed table loses nothing.
func TestDecoderSharesNames(t *testing.T) {
	d := NewDecoder(msgpack.Default)
	data, _ := freezeMsg(Post("poe://S/e/e", nil, proxyFrom("K", "s")), msgpack.Default)
	a, _ := d.Thaw(data)
	b, _ := d.Thaw(data)
	ea, eb := a.(*Message).Event, b.(*Message).Event
	if ea != eb || unsafe.StringData(ea) != unsafe.StringData(eb) {
		t.Error("the event string is not shared")
	}
	ka, kb := a.(*Message).From.Kernel, b.(*Message).From.Kernel
	if unsafe.StringData(ka) != unsafe.StringData(kb) {
		t.Error("the from kernel is not shared")
	}
	for i := range 3 * maxNames {
		data, _ := freezeMsg(Post("poe://S/e/e"+strings.Repeat("x", i%200), nil, nil), msgpack.Default)
		// Names collide and take each other's slots: every record must
		// still thaw, directly, to what the generic path makes of it
		// (sameAsGeneric fails the test on any difference).
		if !sameAsGeneric(t, d, msgpack.Default, data) {
			t.Fatalf("record %d was not decoded directly", i)
		}
	}
}

// FuzzDecoder checks that whatever the bytes, the Decoder agrees with
// Thaw then FromValue.
func FuzzDecoder(f *testing.F) {
	for _, tc := range freezeCases() {
		data, err := tc.m.FreezeWith(msgpack.Default, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	d := NewDecoder(msgpack.Default)
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsGeneric(t, d, msgpack.Default, data)
	})
}

// BenchmarkDecoder compares decoding a post with from straight into a
// *Message against Thaw then FromValue.
func BenchmarkDecoder(b *testing.B) {
	data, err := freezeMsg(Post("poe://BenchServer/sink/count", int64(70000), proxyFrom(idC, "sender")), msgpack.Default)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		d := NewDecoder(msgpack.Default)
		for b.Loop() {
			if _, err := d.Thaw(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("generic", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := generic(msgpack.Default, data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
