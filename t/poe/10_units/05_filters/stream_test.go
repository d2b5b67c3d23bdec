package filters_test

import (
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// TestStream mirrors t/10_units/05_filters/08_stream.t.
func TestStream(t *testing.T) {
	fodder := chunks("a", "bc", "def", "ghij", "klmno")
	t.Run("passes the standard checks", func(t *testing.T) {
		checkStandard(t, filter.NewStream(), fodder, blocks("abcdefghijklmno"), []byte("abcdefghijklmno"))
	})
	t.Run("get combines everything received into one record", func(t *testing.T) {
		if got := getChunks(t, filter.NewStream(), fodder); !equal(got, blocks("abcdefghijklmno")) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("put sends every record unchanged", func(t *testing.T) {
		put, _ := filter.NewStream().Put(nil, "a", []byte("bc"))
		if string(put) != "abc" {
			t.Fatalf("put %q", put)
		}
	})
	t.Run("get_one takes everything pending and then nothing", func(t *testing.T) {
		f := filter.NewStream()
		for _, c := range fodder {
			f.GetOneStart(c)
		}
		if string(f.GetPending()) != "abcdefghijklmno" {
			t.Fatalf("pending %q", f.GetPending())
		}
		rec, ok, _ := f.GetOne()
		if !ok || string(rec.([]byte)) != "abcdefghijklmno" {
			t.Fatalf("got %q", rec)
		}
		if _, ok, _ := f.GetOne(); ok {
			t.Fatal("a second record from an empty buffer")
		}
		if f.GetPending() != nil {
			t.Fatal("pending after get_one")
		}
	})
	t.Run("a record is a copy the caller may keep", func(t *testing.T) {
		f := filter.NewStream()
		a := drain(t, f, []byte("first"))
		drain(t, f, []byte("XXXXX"))
		if string(a[0].([]byte)) != "first" {
			t.Fatalf("record changed to %q", a[0])
		}
	})
}
