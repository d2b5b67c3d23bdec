package msgpack

import (
	"reflect"
	"runtime/debug"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	mp "github.com/vmihailenco/msgpack/v5"
)

// libBlessed and libRef are what the library decodes the two extensions
// into, so that its decoding can be compared with Thaw's.
type (
	libBlessed struct {
		Class string
		Value any
	}
	libRef struct{ Value any }
)

func init() {
	mp.RegisterExtDecoder(ExtBlessed, libBlessed{}, func(d *mp.Decoder, v reflect.Value, _ int) error {
		var pair []any
		if err := d.Decode(&pair); err != nil {
			return err
		}
		cls, _ := pair[0].(string)
		v.Set(reflect.ValueOf(libBlessed{Class: cls, Value: pair[1]}))
		return nil
	})
	mp.RegisterExtDecoder(ExtRef, libRef{}, func(d *mp.Decoder, v reflect.Value, _ int) error {
		var x any
		if err := d.Decode(&x); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(libRef{Value: x}))
		return nil
	})
}

// normalizeExt is normalize for data holding the two extensions.
func normalizeExt(v any) any {
	return serial.MapLeaves(v, func(x any) any {
		switch x := x.(type) {
		case libBlessed:
			return serial.Blessed{Class: x.Class, Value: normalizeExt(x.Value)}
		case libRef:
			return &serial.Ref{Value: normalizeExt(x.Value)}
		}
		return normalLeaf(x)
	})
}

// holder carries Blessed values in typed fields.
type holder struct {
	Obj   serial.Blessed  `msgpack:"obj"`
	Ptr   *serial.Blessed `msgpack:"ptr"`
	Nil   *serial.Blessed `msgpack:"nil"`
	Iface any             `msgpack:"iface"`
}

// TestFreezeBlessedInTypedValues checks a serial.Blessed and a
// *serial.Blessed of every payload kind that Freeze hands to the library
// inside a typed value (a typed slice, map or struct field): each must
// thaw to the Blessed the data model gives for it, the same as when
// Freeze meets it directly, and the library must decode the bytes to the
// same. A Go-to-Go shape: Perl's Storable carries these as blessed refs.
func TestFreezeBlessedInTypedValues(t *testing.T) {
	inner := serial.Blessed{Class: "Inner", Value: "in"}
	payloads := []struct {
		name  string
		value any
		want  any
	}{
		{"undef", nil, nil},
		{"a string", "text", "text"},
		{"an int", 7, int64(7)},
		{"a negative int64", int64(-70000), int64(-70000)},
		{"a big uint64", uint64(1) << 63, "9223372036854775808"},
		{"a float", 2.5, 2.5},
		{"a bool", true, true},
		{"bytes", []byte{0, 255}, "\x00\xff"},
		{"a hash", map[string]any{"n": 1, "s": []any{"x"}}, map[string]any{"n": int64(1), "s": []any{"x"}}},
		{"an array", []any{1, "two", nil}, []any{int64(1), "two", nil}},
		{"an empty array", []any{}, []any{}},
		{"a typed slice", []string{"a", "b"}, []any{"a", "b"}},
		{"a typed map", map[string]int{"k": 3}, map[string]any{"k": int64(3)}},
		{"another object", inner, inner},
		{"a pointer to another object", &inner, inner},
		{"a nil object pointer", (*serial.Blessed)(nil), nil},
		{"a scalar ref", &serial.Ref{Value: "r"}, &serial.Ref{Value: "r"}},
		{"a typed slice of objects", []serial.Blessed{inner}, []any{inner}},
	}
	carriers := []struct {
		name string
		wrap func(serial.Blessed) any
		want func(serial.Blessed) any
	}{
		{"in a typed slice", func(b serial.Blessed) any { return []serial.Blessed{b} },
			func(b serial.Blessed) any { return []any{b} }},
		{"behind a pointer in a typed slice", func(b serial.Blessed) any { return []*serial.Blessed{&b, nil} },
			func(b serial.Blessed) any { return []any{b, nil} }},
		{"in a typed map", func(b serial.Blessed) any { return map[string]serial.Blessed{"k": b} },
			func(b serial.Blessed) any { return map[string]any{"k": b} }},
		{"in struct fields", func(b serial.Blessed) any { return holder{Obj: b, Ptr: &b, Iface: b} },
			func(b serial.Blessed) any {
				return map[string]any{"obj": b, "ptr": b, "nil": nil, "iface": b}
			}},
	}
	for _, p := range payloads {
		for _, c := range carriers {
			t.Run(p.name+" "+c.name+" thaws as the object", func(t *testing.T) {
				in := serial.Blessed{Class: "My::Class", Value: p.value}
				want := c.want(serial.Blessed{Class: "My::Class", Value: p.want})

				data, err := Freeze(c.wrap(in))
				require.NoError(t, err)
				got, err := Thaw(data)
				require.NoError(t, err)
				assert.Equal(t, want, got, "Thaw")

				var ref any
				require.NoError(t, mp.Unmarshal(data, &ref))
				assert.Equal(t, want, normalizeExt(ref), "the library's decoding")

				direct, err := Freeze(c.want(in))
				require.NoError(t, err)
				gotDirect, err := Thaw(direct)
				require.NoError(t, err)
				assert.Equal(t, gotDirect, got, "as frozen directly")

				// The library's own Marshal reaches the same encoder.
				data, err = mp.Marshal(c.wrap(in))
				require.NoError(t, err)
				got, err = Thaw(data)
				require.NoError(t, err)
				assert.Equal(t, want, got, "Thaw of the library's Marshal")
			})
		}
	}
}

// TestFreezeRefusesBlessedCyclesInTypedValues checks that an object that
// contains itself through a typed slice, directly or through a scalar
// ref, is refused by the depth limit as Freeze promises, instead of
// recursing until the stack overflows.
func TestFreezeRefusesBlessedCyclesInTypedValues(t *testing.T) {
	// A regression would overflow the stack, which kills the process: keep
	// the stack small so it does so at once rather than after a gigabyte.
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	tests := []struct {
		name string
		make func() any
	}{
		{"an object in a typed slice of itself", func() any {
			b := &serial.Blessed{Class: "Loop"}
			b.Value = []*serial.Blessed{b}
			return b
		}},
		{"an object in a typed slice of itself inside a hash", func() any {
			b := &serial.Blessed{Class: "Loop"}
			b.Value = map[string]any{"self": []*serial.Blessed{b}}
			return map[string]any{"root": b}
		}},
		{"an object through a scalar ref in a typed slice", func() any {
			b := &serial.Blessed{Class: "Loop"}
			r := &serial.Ref{Value: []*serial.Blessed{b}}
			b.Value = []*serial.Ref{r}
			return b
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			_, err := Freeze(tc.make())
			assert.ErrorIs(t, err, ErrTooDeep)
		})
	}
}

// TestFreezeBlessedInTypedValuesKeepsMaxDepth checks that an object inside
// a typed value counts towards the Serializer's own MaxDepth, not the
// default one.
func TestFreezeBlessedInTypedValuesKeepsMaxDepth(t *testing.T) {
	s := New(Options{MaxDepth: 4})
	shallow := []serial.Blessed{{Class: "C", Value: 1}}
	_, err := s.Freeze(nil, shallow)
	require.NoError(t, err)
	deep := []serial.Blessed{{Class: "C", Value: []any{[]any{[]any{[]any{1}}}}}}
	_, err = s.Freeze(nil, deep)
	assert.ErrorIs(t, err, ErrTooDeep)
	_, err = Default.Freeze(nil, deep)
	assert.NoError(t, err)
}
