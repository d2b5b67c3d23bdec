package msgpack

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/serialtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	mp "github.com/vmihailenco/msgpack/v5"
)

// normalize maps the library's generic decoding onto the serial data
// model, as Thaw documents it.
func normalize(v any) any { return serial.MapLeaves(v, normalLeaf) }

func normalLeaf(v any) any {
	switch x := v.(type) {
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
		if x > math.MaxInt64 {
			return strconv.FormatUint(x, 10)
		}
		return int64(x)
	case float32:
		return float64(x)
	case []byte:
		return string(x)
	}
	return v
}

func agreementInputs(t *testing.T) map[string][]byte {
	t.Helper()
	in := map[string][]byte{}
	add := func(name string, v any) {
		b, err := mp.Marshal(v)
		require.NoError(t, err, name)
		in[name] = b
		b, err = Freeze(v)
		require.NoError(t, err, name)
		in[name+" (Freeze)"] = b
	}
	for _, n := range []int64{0, 1, 127, 128, 255, 256, 65535, 65536, math.MaxInt32, math.MaxInt32 + 1, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64} {
		add(fmt.Sprintf("int64 %d", n), n)
		add(fmt.Sprintf("int64 -%d", n), -n)
		add(fmt.Sprintf("int %d", n), int(n))
	}
	add("int64 min", int64(math.MinInt64))
	for _, v := range []any{int8(-128), int8(127), int16(-32768), int32(math.MinInt32), uint8(200), uint16(65535), uint32(math.MaxUint32), uint64(math.MaxInt64), uint64(math.MaxInt64) + 1, uint64(math.MaxUint64)} {
		add(fmt.Sprintf("%T %v", v, v), v)
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1)} {
		add(fmt.Sprintf("float64 %v", f), f)
		add(fmt.Sprintf("float32 %v", f), float32(f))
	}
	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536, 70000} {
		add(fmt.Sprintf("string of %d", n), strings.Repeat("é", n/2)+strings.Repeat("x", n%2))
		add(fmt.Sprintf("bin of %d", n), []byte(strings.Repeat("\xff", n)))
		arr := make([]any, n%1000+n/1000)
		for i := range arr {
			arr[i] = i
		}
		add(fmt.Sprintf("array of %d", len(arr)), arr)
		m := map[string]any{}
		for i := range n % 100 {
			m["k"+strconv.Itoa(i)] = []any{i, "v", nil}
		}
		add(fmt.Sprintf("map of %d", len(m)), m)
	}
	add("nil", nil)
	add("true", true)
	add("false", false)
	add("the IKC record", serialtest.Record())
	add("nested", []any{[]any{[]any{map[string]any{"": map[string]any{"a": []any{}}}}}, map[string]any{}})
	// Encodings the encoders never choose but peers may send.
	for _, h := range []string{
		"cc05", "cd0001", "ce00000001", "cf0000000000000001", "d0ff", "d1ff00", "d2ffff0000", "d3fffffffffffffff0",
		"d90161", "da000161", "db0000000161", "c40161", "c5000161", "c60000000161",
		"dc0001c3", "dd00000001c2", "de0001a16101", "df00000001a161c0",
		"ca3fc00000", "cb3ff8000000000000", "81c401619101", "a0", "90", "80",
	} {
		b, err := hex.DecodeString(h)
		require.NoError(t, err)
		in["hex "+h] = b
	}
	return in
}

// TestThawAgreesWithTheLibrary checks the hand-written decoder against the
// library's generic decoding over a wide table of values and encodings.
func TestThawAgreesWithTheLibrary(t *testing.T) {
	for name, data := range agreementInputs(t) {
		t.Run(name, func(t *testing.T) {
			var ref any
			require.NoError(t, mp.Unmarshal(data, &ref))
			got, err := Thaw(data)
			require.NoError(t, err)
			assert.Equal(t, normalize(ref), got)
		})
	}
}

// TestThawExtensions checks the extension types, which the library cannot
// decode generically.
func TestThawExtensions(t *testing.T) {
	tests := map[string]struct {
		hex  string
		want any
	}{
		"fixext 1 ref":      {"d40201", &serial.Ref{Value: int64(1)}},
		"fixext 2 ref":      {"d502a161", &serial.Ref{Value: "a"}},
		"ext 8 ref":         {"c70302a26263", &serial.Ref{Value: "bc"}},
		"ext 16 ref":        {"c8000102c0", &serial.Ref{Value: nil}},
		"ext 32 ref":        {"c90000000102c3", &serial.Ref{Value: true}},
		"fixext 4 blessed":  {"d60192a14101", serial.Blessed{Class: "A", Value: int64(1)}},
		"ext 8 blessed map": {"c7070192a14181a16102", serial.Blessed{Class: "A", Value: map[string]any{"a": int64(2)}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := hex.DecodeString(tc.hex)
			require.NoError(t, err)
			got, err := Thaw(data)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestThawErrorOffsets checks where failures are reported.
func TestThawErrorOffsets(t *testing.T) {
	tests := []struct {
		hex    string
		want   error
		offset int
	}{
		{"", ErrTruncated, 0},
		{"92c0", ErrLength, 0},
		{"92c0a3616263c0", ErrTrailing, 6},
		{"92c0a36162", ErrTruncated, 2},
		{"91a36162", ErrTruncated, 1},
		{"93c0c0a36162", ErrTruncated, 3},
		{"9201cd00", ErrTruncated, 2},
		{"82a161c001c0", ErrType, 4},
		{"81a161d9", ErrTruncated, 3},
		{"81a161d905", ErrLength, 3},
		{"c1", ErrType, 0},
		{"91d5010102", ErrType, 1},
		{"d60191c0c0c0", ErrType, 0},
		{"d6029100c0c0", ErrLength, 0},
		{"d40291c0", ErrLength, 0},
		{"d5070000", ErrType, 0},
		{"c7", ErrTruncated, 0},
		{"c701", ErrTruncated, 0},
	}
	for _, tc := range tests {
		t.Run(tc.hex, func(t *testing.T) {
			data, err := hex.DecodeString(tc.hex)
			require.NoError(t, err)
			_, err = Thaw(data)
			require.ErrorIs(t, err, tc.want)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.offset, e.Offset, err.Error())
		})
	}
}
