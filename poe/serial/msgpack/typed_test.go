package msgpack

import (
	"reflect"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	mp "github.com/vmihailenco/msgpack/v5"
)

type node struct {
	V    int
	Next *node
}

type anyHolder struct{ X any }

type namedList []any

type selfPointer *selfPointer

type skipped struct {
	V    int
	Self *skipped `msgpack:"-"`
	Up   *skipped `ikc:"-"`
	self *skipped
}

// selfEncoded holds itself but encodes only its value, as a type with its
// own MarshalMsgpack may.
type selfEncoded struct {
	V    int
	Self *selfEncoded
}

func (s *selfEncoded) MarshalMsgpack() ([]byte, error) { return mp.Marshal(s.V) }

func chain(n int) *node {
	var head *node
	for i := range n {
		head = &node{V: i, Next: head}
	}
	return head
}

// TestFreezeRefusesTypedCycles checks that a typed value that reaches
// itself, which the library would follow until the stack overflowed and
// the process died, is refused with ErrTooDeep; and that the walk that
// finds it follows only what the library encodes.
func TestFreezeRefusesTypedCycles(t *testing.T) {
	// A regression overflows the stack, which kills the process: keep the
	// stack small so that it does so at once.
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	tests := []struct {
		name    string
		opts    Options
		make    func() any
		refused bool
	}{
		{"a struct pointing at itself", Options{}, func() any {
			n := &node{V: 1}
			n.Next = n
			return n
		}, true},
		{"a two-node ring inside a list", Options{}, func() any {
			a, b := &node{V: 1}, &node{V: 2}
			a.Next, b.Next = b, a
			return []any{"ring", a}
		}, true},
		{"a struct holding itself in an interface field", Options{}, func() any {
			h := &anyHolder{}
			h.X = h
			return map[string]any{"h": h}
		}, true},
		{"a named list holding itself", Options{}, func() any {
			l := namedList{1, nil}
			l[1] = l
			return l
		}, true},
		{"a map of typed values holding the map", Options{}, func() any {
			m := map[string]*anyHolder{}
			m["x"] = &anyHolder{X: m}
			return m
		}, true},
		{"a pointer to itself", Options{}, func() any {
			var p selfPointer
			p = &p
			return p
		}, true},
		{"a chain past the serializer's depth", Options{MaxDepth: 8}, func() any { return chain(10) }, true},
		{"a chain within the default depth", Options{}, func() any { return chain(100) }, false},
		{"cycles through fields the library skips", Options{}, func() any {
			s := &skipped{V: 1}
			s.Self, s.Up, s.self = s, s, s
			return s
		}, false},
		{"a cycle inside a type that encodes itself", Options{}, func() any {
			s := &selfEncoded{V: 1}
			s.Self = s
			return []any{s}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts).Freeze(nil, tc.make())
			if tc.refused {
				assert.ErrorIs(t, err, ErrTooDeep)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

// TestMayNestDeep checks the per-type decision of whether a value is walked
// at all.
func TestMayNestDeep(t *testing.T) {
	tests := []struct {
		v    any
		want bool
	}{
		{struct{ A, B int }{}, false},
		{[]string{}, false},
		{map[string][]int{}, false},
		{&node{}, true},
		{anyHolder{}, true},
		{namedList{}, true},
		{skipped{}, false},
		{&selfEncoded{}, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, mayNestDeep(reflect.TypeOf(tc.v)), "%T", tc.v)
	}
}
