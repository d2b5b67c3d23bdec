package filters_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unsafe"

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
	// The octets given to the filter come from the reader's buffer, which
	// the next read overwrites; a record must not change with it, nor
	// with the next record, whichever way the records are taken.
	ways := map[string]func(t *testing.T, f filter.Filter, data []byte) []any{
		"get": drain,
		"get_one": func(t *testing.T, f filter.Filter, data []byte) []any {
			recs, errs := getAll(f, data)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			return recs
		},
		"get_one after two reads": func(t *testing.T, f filter.Filter, data []byte) []any {
			f.GetOneStart(data[:len(data)/2])
			recs, errs := getAll(f, data[len(data)/2:])
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			return recs
		},
	}
	for way, take := range ways {
		for _, size := range []int{5, 1024, 1025, 65536} {
			t.Run(fmt.Sprintf("%s: a record of %d octets is a copy the caller may keep", way, size), func(t *testing.T) {
				f := filter.NewStream()
				in := bytes.Repeat([]byte("a"), size)
				a := take(t, f, in)
				in[0] = 'X' // the reader's buffer, reused
				b := take(t, f, bytes.Repeat([]byte("b"), size))
				if len(a) != 1 || len(b) != 1 {
					t.Fatalf("%d and %d records, want 1 each", len(a), len(b))
				}
				a[0].([]byte)[1] = 'Y' // the holder writes to its record
				a[0] = append(a[0].([]byte), 'Z')
				c := take(t, f, bytes.Repeat([]byte("c"), size))
				if want := "aY" + strings.Repeat("a", size-2) + "Z"; string(a[0].([]byte)) != want {
					t.Fatalf("first record changed to %.20q", a[0])
				}
				if string(b[0].([]byte)) != strings.Repeat("b", size) || string(c[0].([]byte)) != strings.Repeat("c", size) {
					t.Fatalf("later records %.20q, %.20q", b[0], c[0])
				}
			})
		}
	}
}

// TestStreamBorrow checks StreamOptions.Borrow: the same records, lent
// until the filter's next call instead of given away, with no copy of
// input that comes in one piece and no allocation.
func TestStreamBorrow(t *testing.T) {
	borrowing := func() *filter.Stream { return filter.NewStream(filter.StreamOptions{Borrow: true}) }
	fodder := chunks("a", "bc", "def", "ghij", "klmno")
	t.Run("passes the standard checks", func(t *testing.T) {
		checkStandard(t, borrowing(), fodder, blocks("abcdefghijklmno"), []byte("abcdefghijklmno"))
	})
	ways := []struct {
		name   string
		pieces int // pieces the input is given in
		take   func(f *filter.Stream, data []byte) (any, bool)
	}{
		{"get", 1, func(f *filter.Stream, data []byte) (any, bool) {
			recs, err := f.Get(data)
			if err != nil || len(recs) != 1 {
				return nil, false
			}
			return recs[0], true
		}},
		{"get_one", 1, func(f *filter.Stream, data []byte) (any, bool) {
			f.GetOneStart(data)
			rec, ok, _ := f.GetOne()
			return rec, ok
		}},
		{"get_one after two reads", 2, func(f *filter.Stream, data []byte) (any, bool) {
			f.GetOneStart(data[:len(data)/2])
			f.GetOneStart(data[len(data)/2:])
			rec, ok, _ := f.GetOne()
			return rec, ok
		}},
	}
	for _, way := range ways {
		for _, size := range []int{6, 1024, 1025, 65536} {
			t.Run(fmt.Sprintf("%s: a record of %d octets", way.name, size), func(t *testing.T) {
				f := borrowing()
				in := bytes.Repeat([]byte("a"), size)
				a, ok := way.take(f, in)
				if !ok || string(a.([]byte)) != strings.Repeat("a", size) {
					t.Fatalf("first record %.20q", a)
				}
				if f.GetPending() != nil {
					t.Fatalf("pending %.20q after the record", f.GetPending())
				}
				if _, ok, _ := f.GetOne(); ok {
					t.Fatal("a second record from an empty buffer")
				}
				if string(a.([]byte)) != strings.Repeat("a", size) {
					t.Fatalf("the record changed to %.20q before the next read", a)
				}
				aliased := unsafe.SliceData(a.([]byte)) == unsafe.SliceData(in)
				if want := way.pieces == 1; aliased != want {
					t.Fatalf("record is the input itself: %v, want %v", aliased, want)
				}
				b, ok := way.take(f, bytes.Repeat([]byte("b"), size))
				if !ok || string(b.([]byte)) != strings.Repeat("b", size) {
					t.Fatalf("second record %.20q", b)
				}
				if way.pieces > 1 && string(a.([]byte)) != strings.Repeat("b", size) {
					t.Fatalf("the first record is %.20q: a copy, not the filter's buffer", a)
				}
			})
		}
	}
	t.Run("empty input is nothing; held input is pending, and joins what follows", func(t *testing.T) {
		f := borrowing()
		f.GetOneStart([]byte{})
		if rec, ok, _ := f.GetOne(); ok {
			t.Fatalf("a record %q from empty input", rec)
		}
		f.GetOneStart([]byte("abc"))
		if p := f.GetPending(); string(p) != "abc" {
			t.Fatalf("pending %q", p)
		}
		f.GetOneStart(nil)
		f.GetOneStart([]byte("de"))
		rec, ok, _ := f.GetOne()
		if !ok || string(rec.([]byte)) != "abcde" {
			t.Fatalf("got %q", rec)
		}
	})
	block := bytes.Repeat([]byte("x"), 65536)
	for name, f := range map[string]filter.Filter{"borrowing": borrowing(), "its clone": borrowing().Clone()} {
		t.Run(name+" allocates nothing per record", func(t *testing.T) {
			allocs := testing.AllocsPerRun(50, func() {
				f.GetOneStart(block)
				if rec, ok, _ := f.GetOne(); !ok || len(rec.([]byte)) != len(block) {
					t.Fatal("no record")
				}
				f.GetOneStart(block[:32768])
				f.GetOneStart(block[32768:]) // the second piece is copied in
				if rec, ok, _ := f.GetOne(); !ok || len(rec.([]byte)) != len(block) {
					t.Fatal("no record")
				}
			})
			if allocs != 0 {
				t.Fatalf("%v allocations per record", allocs)
			}
		})
	}
}
