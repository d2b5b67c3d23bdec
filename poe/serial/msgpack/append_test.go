package msgpack

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	mp "github.com/vmihailenco/msgpack/v5"
)

// libraryEncoding is what the MessagePack library writes for v through the
// calls Freeze made before it wrote these types itself: the encoding Freeze
// must keep.
func libraryEncoding(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := mp.NewEncoder(&buf)
	var put func(v any)
	put = func(v any) {
		var err error
		switch x := v.(type) {
		case nil:
			err = enc.EncodeNil()
		case string:
			err = enc.EncodeString(x)
		case []byte:
			err = enc.EncodeBytes(x)
		case bool:
			err = enc.EncodeBool(x)
		case int:
			err = enc.EncodeInt(int64(x))
		case int64:
			err = enc.EncodeInt(x)
		case int32:
			err = enc.EncodeInt(int64(x))
		case uint64:
			err = enc.EncodeUint(x)
		case uint:
			err = enc.EncodeUint(uint64(x))
		case uint32:
			err = enc.EncodeUint(uint64(x))
		case float64:
			err = enc.EncodeFloat64(x)
		case []any:
			err = enc.EncodeArrayLen(len(x))
			for _, e := range x {
				put(e)
			}
		case map[string]any:
			err = enc.EncodeMapLen(len(x))
			for k, e := range x {
				require.NoError(t, enc.EncodeString(k))
				put(e)
			}
		default:
			t.Fatalf("no library encoding for %T", v)
		}
		require.NoError(t, err)
	}
	put(v)
	return buf.Bytes()
}

// TestFreezeWritesTheLibraryEncoding checks the hand-written encodings of
// the data model's types, byte for byte, at every size boundary.
func TestFreezeWritesTheLibraryEncoding(t *testing.T) {
	var values []any
	for _, n := range []int64{0, 1, 127, 128, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64} {
		values = append(values, n, -n, int(n), uint64(n), uint(n))
	}
	for _, n := range []int64{31, 32, 33, 127, 128, 129, 32767, 32768, 32769, math.MaxInt32, math.MaxInt32 + 1, math.MaxInt32 + 2} {
		values = append(values, -n, int32(-n))
	}
	values = append(values, int64(math.MinInt64), uint32(math.MaxUint32), uint64(math.MaxUint64), int32(math.MinInt32))
	for _, f := range []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.MaxFloat64, math.Inf(1), math.NaN()} {
		values = append(values, f)
	}
	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536, 70000} {
		values = append(values, strings.Repeat("x", n), bytes.Repeat([]byte{0xff}, n))
		arr := make([]any, n%1000+n/1000)
		for i := range arr {
			arr[i] = i
		}
		values = append(values, arr)
	}
	values = append(values, nil, true, false, []byte(nil), []byte{}, map[string]any{}, map[string]any{"k": []any{"v", nil}},
		[]any{map[string]any{"": map[string]any{"a": []any{}}}})
	for _, v := range values {
		name := fmt.Sprintf("%T %.40v", v, v)
		t.Run(name, func(t *testing.T) {
			got, err := Freeze(v)
			require.NoError(t, err)
			assert.Equal(t, libraryEncoding(t, v), got)
		})
	}
}

// BenchmarkAppendRecordParts measures the appenders on the scalars of an
// IKC record.
func BenchmarkAppendRecordParts(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = AppendMapHeader(buf[:0], 3)
		buf = AppendString(buf, "event")
		buf = AppendString(buf, "poe://Server/echo/echo")
		buf = AppendString(buf, "params")
		buf = AppendInt(buf, 123456)
		buf = AppendString(buf, "wantarray")
		buf = AppendNil(buf)
	}
}

// TestFreezeAtCountsTheEnclosingLevels checks that FreezeAt refuses a
// value exactly when Freeze would refuse it nested depth levels down,
// scalars and containers alike.
func TestFreezeAtCountsTheEnclosingLevels(t *testing.T) {
	s := New(Options{MaxDepth: 3})
	for _, v := range []any{nil, "x", int64(7), 7, 2.5, []any{}, []any{"x"}, map[string]any{"k": nil}} {
		for depth := 0; depth <= 3; depth++ {
			nest := v
			for range depth {
				nest = []any{nest}
			}
			_, want := s.Freeze(nil, nest)
			got, err := s.FreezeAt([]byte("h"), v, depth)
			if (err == nil) != (want == nil) {
				t.Errorf("%#v at depth %d: error %v, Freeze's %v", v, depth, err, want)
				continue
			}
			if err != nil {
				assert.Equal(t, "h", string(got))
				continue
			}
			whole, err := Freeze(v)
			require.NoError(t, err)
			assert.Equal(t, append([]byte("h"), whole...), got)
		}
	}
}
