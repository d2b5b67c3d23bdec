package filter

import (
	"errors"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

// selfFreezing is a record that freezes itself: as the string it holds,
// or with err.
type selfFreezing struct {
	s   string
	err error
	got serial.Serializer
}

func (r *selfFreezing) FreezeWith(s serial.Serializer, dst []byte) ([]byte, error) {
	r.got = s
	if r.err != nil {
		return append(dst, "junk"...), r.err
	}
	return s.Freeze(dst, r.s)
}

// TestReferencePutSelfFreezer checks that Put lets a SelfFreezer freeze
// itself with the filter's serializer, frames what it wrote like any
// record, and reports its failure as a serializer error without output.
func TestReferencePutSelfFreezer(t *testing.T) {
	tests := []struct {
		name    string
		records []any
		want    string
		wantErr error
	}{
		{"a self-freezing record", []any{&selfFreezing{s: "ab"}}, "3\x00\xa2ab", nil},
		{"between plain records", []any{"x", &selfFreezing{s: "ab"}, "y"}, "2\x00\xa1x3\x00\xa2ab2\x00\xa1y", nil},
		{"a failure", []any{"x", &selfFreezing{err: errors.New("no")}}, "2\x00\xa1x", ErrSerializer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewReference(ReferenceOptions{Serializer: msgpack.Default})
			out, err := f.Put([]byte{}, tc.records...)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if string(out) != tc.want {
				t.Errorf("wrote %q, want %q", out, tc.want)
			}
			for _, r := range tc.records {
				if sf, ok := r.(*selfFreezing); ok && sf.got != msgpack.Default {
					t.Errorf("FreezeWith got serializer %v", sf.got)
				}
			}
		})
	}
}

// TestReferenceThawHook checks ReferenceOptions.Thaw: it gets each
// payload (inflated when compressed) in place of the serializer, its
// records are returned as they are, and its error is the serializer's
// error for that frame only.
func TestReferenceThawHook(t *testing.T) {
	type seen struct{ payload string }
	thaw := func(p []byte) (any, error) {
		if string(p) == "bad" {
			return nil, errors.New("refused")
		}
		return seen{string(p)}, nil
	}
	for _, compress := range []bool{false, true} {
		f := NewReference(ReferenceOptions{Serializer: msgpack.Default, Thaw: thaw, Compression: compress})
		raw := NewReference(ReferenceOptions{Compression: compress, Serializer: rawSerializer{}})
		input, err := raw.Put(nil, "one", "bad", "two")
		if err != nil {
			t.Fatal(err)
		}
		recs, err := f.Get(input)
		if !errors.Is(err, ErrSerializer) || len(recs) != 1 || recs[0] != (seen{"one"}) {
			t.Fatalf("compress %v: got %v, %v", compress, recs, err)
		}
		recs, err = f.Clone().(*Reference).Get(nil)
		if err != nil || len(recs) != 0 {
			t.Fatalf("a clone has input: %v, %v", recs, err)
		}
		recs, err = f.Get(nil)
		if err != nil || len(recs) != 1 || recs[0] != (seen{"two"}) {
			t.Fatalf("compress %v: after the bad frame got %v, %v", compress, recs, err)
		}
	}
}

// rawSerializer freezes a string as its bytes.
type rawSerializer struct{}

func (rawSerializer) Name() string { return "raw" }

func (rawSerializer) Freeze(dst []byte, v any) ([]byte, error) {
	return append(dst, v.(string)...), nil
}

func (rawSerializer) Thaw(data []byte) (any, error) { return string(data), nil }
