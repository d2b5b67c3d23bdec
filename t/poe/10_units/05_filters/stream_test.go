package filters_test

import (
	"bytes"
	"fmt"
	"strings"
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
