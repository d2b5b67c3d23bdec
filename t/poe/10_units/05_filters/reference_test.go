package filters_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

func newRef(o filter.ReferenceOptions) *filter.Reference {
	if o.Serializer == nil {
		o.Serializer = jsonSer{}
	}
	return filter.NewReference(o)
}

// TestReference mirrors t/10_units/05_filters/07_reference.t and
// 51_reference_die.t, with a JSON serializer standing in for MyFreezer.
func TestReference(t *testing.T) {
	values := []any{"this is a test", []any{1.0, 1.0, 2.0, 3.0, 5.0}, map[string]any{"a": 1.0}}
	for _, compress := range []bool{false, true} {
		name := "records freeze and thaw back unchanged"
		if compress {
			name += " with compression"
		}
		t.Run(name, func(t *testing.T) {
			f := newRef(filter.ReferenceOptions{Compression: compress})
			wire, err := f.Put(nil, values...)
			if err != nil {
				t.Fatal(err)
			}
			if got := drain(t, f, wire); !reflect.DeepEqual(got, values) {
				t.Fatalf("got %v", got)
			}
		})
	}
	t.Run("a frame is its decimal length, a NUL and the payload", func(t *testing.T) {
		wire, _ := newRef(filter.ReferenceOptions{}).Put(nil, map[string]any{"a": 1})
		if string(wire) != "7\x00{\"a\":1}" {
			t.Fatalf("wire %q", wire)
		}
	})
	t.Run("get_pending returns the raw frames, which parse again", func(t *testing.T) {
		f := newRef(filter.ReferenceOptions{})
		wire, _ := f.Put(nil, []any{2.0, 4.0, 6.0})
		f.GetOneStart(wire)
		got := drain(t, f, f.GetPending())
		want := []any{[]any{2.0, 4.0, 6.0}, []any{2.0, 4.0, 6.0}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("passes the standard checks", func(t *testing.T) {
		checkStandard(t, newRef(filter.ReferenceOptions{}), chunks("3\x00\"a\"", "1\x001"), []any{"a", 1.0}, []byte("3\x00\"a\"1\x001"))
	})
	t.Run("frames split at every octet give the same records", func(t *testing.T) {
		checkSplits(t, func() filter.Filter { return newRef(filter.ReferenceOptions{}) },
			[]byte("3\x00\"a\"0002\x00[]5\x00\"xyz\""), []any{"a", []any{}, "xyz"})
	})
	t.Run("leading zeros in the length are accepted", func(t *testing.T) {
		if got := drain(t, newRef(filter.ReferenceOptions{}), []byte("0003\x00\"a\"")); !equal(got, records("a")) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("a nil record cannot be put", func(t *testing.T) {
		if _, err := newRef(filter.ReferenceOptions{}).Put(nil, nil); !errors.Is(err, filter.ErrRecordType) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("without a serializer it uses Storable, as POE does", func(t *testing.T) {
		f := filter.NewReference(filter.ReferenceOptions{})
		if f.Serializer().Name() != "Storable" {
			t.Fatalf("serializer %s", f.Serializer().Name())
		}
		wire, err := f.Put(nil, map[string]any{"a": int64(1)})
		if err != nil {
			t.Fatal(err)
		}
		if want := "14\x00\x05\x0b\x03\x00\x00\x00\x01\x08\x81\x00\x00\x00\x01a"; string(wire) != want {
			t.Fatalf("wire %q, want %q (the spec's verified frame)", wire, want)
		}
		got := drain(t, f, wire)
		if !reflect.DeepEqual(got, []any{map[string]any{"a": int64(1)}}) {
			t.Fatalf("got %#v", got)
		}
	})
}

// TestReferenceErrors checks what POE gets wrong or leaves unbounded: bad
// prefixes, oversized frames, failing thaws, with NoFatals or without.
func TestReferenceErrors(t *testing.T) {
	cases := []struct {
		name     string
		o        filter.ReferenceOptions
		wire     string
		kind     error
		message  string
		wantRecs []any
	}{
		{"a non-numeric prefix is an error naming the bad octets, then reading resumes",
			filter.ReferenceOptions{}, "HELLO\r\n3\x00\"a\"", filter.ErrBadFrame,
			`filter.Reference: bad frame prefix ("HELLO\r\n" discarded; want <decimal length>\0)`, records("a")},
		{"digits not followed by NUL are a bad prefix",
			filter.ReferenceOptions{}, "12x3\x00\"a\"", filter.ErrBadFrame,
			`filter.Reference: bad frame prefix ("12x" discarded; want <decimal length>\0)`, records("a")},
		{"a frame over MaxFrame is an error and is skipped",
			filter.ReferenceOptions{MaxFrame: 4}, "7\x00\"abcde\"3\x00\"a\"", filter.ErrFrameSize,
			"filter.Reference: next frame exceeds the limit (7 > 4; frame discarded)", records("a")},
		{"a payload that does not thaw is an error and the next frame comes",
			filter.ReferenceOptions{Serializer: dyingSer{}}, "3\x00\"a\"", filter.ErrSerializer,
			"filter.Reference: serializer failed (JSON thaw): thaw died", nil},
		{"a buffer over MaxBuffer is an error and the frames are still read",
			filter.ReferenceOptions{MaxBuffer: 8, MaxFrame: 4}, "3\x00\"a\"3\x00\"b\"", filter.ErrBufferLimit,
			"filter.Reference: framing buffer exceeds the limit (10 > 8)", records("a", "b")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, errs := getAll(newRef(c.o), []byte(c.wire))
			if len(errs) != 1 || !errors.Is(errs[0], c.kind) || errs[0].Error() != c.message {
				t.Fatalf("errs %v", errs)
			}
			if !equal(recs, c.wantRecs) {
				t.Fatalf("recs %v", recs)
			}
		})
		t.Run(c.name+", as a record with NoFatals", func(t *testing.T) {
			o := c.o
			o.NoFatals = true
			recs, errs := getAll(newRef(o), []byte(c.wire))
			if len(errs) != 0 || len(recs) != len(c.wantRecs)+1 || !strings.Contains(recs[0].(string), c.kind.Error()) {
				t.Fatalf("recs %q errs %v", recs, errs)
			}
		})
	}
	t.Run("an oversized frame is refused before its payload is buffered", func(t *testing.T) {
		f := newRef(filter.ReferenceOptions{MaxFrame: 1 << 10})
		_, errs := getAll(f, []byte("999999999\x00"))
		for range 100 {
			getAll(f, make([]byte, 4096))
			if n := len(f.GetPending()); n != 0 {
				t.Fatalf("buffered %d octets of a refused frame", n)
			}
		}
		if len(errs) != 1 || !errors.Is(errs[0], filter.ErrFrameSize) {
			t.Fatalf("errs %v", errs)
		}
	})
}
