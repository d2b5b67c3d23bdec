package msgpack

import (
	"bytes"
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/storable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type tagged struct {
	Name  string `msgpack:"name"`
	Count int    `ikc:"count"`
	Plain []string
}

// TestRegistered checks the negotiation name: a Perl package name no Perl
// installation has, so Perl peers refuse it.
func TestRegistered(t *testing.T) {
	s, err := serial.Lookup(Name)
	require.NoError(t, err)
	assert.Equal(t, Name, s.Name())
	assert.True(t, strings.HasPrefix(Name, "POE::Component::IKC::"))
}

// TestThawGivesTheStorableModel checks that a value thaws to the same Go
// data whichever serializer carried it.
func TestThawGivesTheStorableModel(t *testing.T) {
	values := map[string]any{
		"an IKC record": map[string]any{
			"event":  "poe://Server/echo/echo",
			"params": []any{map[string]any{"a": 1, "b": "two", "c": nil, "d": []any{int8(1), uint16(2)}}},
			"rsvp":   map[string]any{"kernel": "Client", "session": 2, "state": "reply"},
		},
		"integers":        []any{0, -1, 127, 128, -129, int32(-70000), uint8(200)},
		"strings":         []any{"", "hello", "café", strings.Repeat("x", 300)},
		"undef":           nil,
		"a scalar ref":    map[string]any{"r": &serial.Ref{Value: "text"}},
		"objects":         []any{serial.Blessed{Class: "My::Class", Value: map[string]any{"n": 1}}, &serial.Blessed{Class: "L", Value: []any{}}},
		"typed values":    map[string]any{"ss": []string{"a"}, "mi": map[string]int{"x": 1}},
		"a tagged struct": tagged{Name: "n", Count: 3, Plain: []string{"p"}},
		"a top string":    "just a string",
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			viaStorable := roundTrip(t, storable.Default, v)
			viaMsgpack := roundTrip(t, Default, v)
			assert.Equal(t, viaStorable, viaMsgpack)
		})
	}
}

func roundTrip(t *testing.T, s serial.Serializer, v any) any {
	t.Helper()
	b, err := s.Freeze(nil, v)
	require.NoError(t, err)
	out, err := s.Thaw(b)
	require.NoError(t, err)
	return out
}

// TestThawKeepsWhatStorableCannot checks the values msgpack carries more
// faithfully than Perl's network order: floats, booleans, big unsigned.
func TestThawKeepsWhatStorableCannot(t *testing.T) {
	in := []any{int64(1) << 40, 2.5, float32(0.5), true, false, uint64(math.MaxUint64), []byte{0, 255}, &serial.Ref{Value: &serial.Ref{Value: 1}}}
	want := []any{int64(1) << 40, 2.5, 0.5, true, false, "18446744073709551615", "\x00\xff", &serial.Ref{Value: &serial.Ref{Value: int64(1)}}}
	assert.Equal(t, want, roundTrip(t, Default, in))
}

// TestFreezeAppends checks that Freeze writes after what dst holds.
func TestFreezeAppends(t *testing.T) {
	out, err := Default.Freeze([]byte("head"), "x")
	require.NoError(t, err)
	assert.Equal(t, "head\xa1x", string(out))
}

// TestThawRejects feeds malformed input: each must fail with the problem
// and the offset.
func TestThawRejects(t *testing.T) {
	deep := append(bytes.Repeat([]byte{0x91}, 600), 0xc0)
	tests := []struct {
		name string
		hex  string
		raw  []byte
		want error
	}{
		{name: "empty input", hex: "", want: ErrTruncated},
		{name: "a cut string", hex: "a568656c", want: ErrTruncated},
		{name: "an array claiming 4 billion items", hex: "ddffffffff01", want: ErrLength},
		{name: "a map claiming 4 billion entries", hex: "dfffffffff01", want: ErrLength},
		{name: "a string claiming 4 GiB", hex: "dbffffffff61", want: ErrLength},
		{name: "a non-string map key", hex: "810102", want: ErrType},
		{name: "an unknown extension", hex: "d40700", want: ErrType},
		{name: "an extension longer than the input", hex: "c7ff01c0", want: ErrLength},
		{name: "a blessed extension that is not a pair", hex: "d50191c0", want: ErrType},
		{name: "a reserved code", hex: "c1", want: ErrType},
		{name: "bytes after the value", hex: "c0c0", want: ErrTrailing},
		{name: "nesting past the limit", raw: deep, want: ErrTooDeep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.raw
			if data == nil {
				var err error
				data, err = hex.DecodeString(tc.hex)
				require.NoError(t, err)
			}
			_, err := Thaw(data)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, err.Error(), "offset")
		})
	}
}

// TestItemLimit checks Options.MaxItems.
func TestItemLimit(t *testing.T) {
	_, err := New(Options{MaxItems: 3}).Thaw([]byte{0x94, 1, 2, 3, 4})
	assert.ErrorIs(t, err, ErrTooMany)
}

// TestFreezeRefusesCycles checks that a value containing itself fails
// instead of recursing forever.
func TestFreezeRefusesCycles(t *testing.T) {
	m := map[string]any{}
	m["self"] = m
	_, err := Freeze(m)
	assert.ErrorIs(t, err, ErrTooDeep)
}
