package filters_test

import (
	"testing"
	"unicode"

	"github.com/poe-go/poe/poe/filter"
)

func str(r any) string {
	switch v := r.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

func hasDigit(r any) bool {
	for _, c := range str(r) {
		if unicode.IsDigit(c) {
			return true
		}
	}
	return false
}

func hasLetter(r any) bool {
	for _, c := range str(r) {
		if unicode.IsLetter(c) {
			return true
		}
	}
	return false
}

func isWord(r any) bool { return hasDigit(r) || hasLetter(r) }

// TestGrep mirrors t/10_units/05_filters/02_grep.t.
func TestGrep(t *testing.T) {
	t.Run("without Code or both Get and Put it is refused", func(t *testing.T) {
		for _, o := range []filter.GrepOptions{{}, {Get: hasDigit}, {Put: hasDigit}} {
			if o.Validate() == nil {
				t.Fatalf("%+v accepted", o)
			}
			mustPanic(t, func() { filter.NewGrep(o) })
		}
	})
	t.Run("Get and Put filter each direction", func(t *testing.T) {
		f := filter.NewGrep(filter.GrepOptions{Get: hasDigit, Put: hasLetter})
		out, _ := f.PutRecords(records("A", "B", "C", "1", "2", "3")...)
		if !equal(out, records("A", "B", "C")) {
			t.Fatalf("put %q", out)
		}
		f.GetOneStartRecords(records("a", "b", "c", "1", "2", "3")...)
		if got := drainRecords(t, f); !equal(got, records("1", "2", "3")) {
			t.Fatalf("get %q", got)
		}
	})
	t.Run("Code filters both directions", func(t *testing.T) {
		f := filter.NewGrep(filter.GrepOptions{Code: isWord})
		out, _ := f.PutRecords(records("a", "1", "!", "@")...)
		f.GetOneStartRecords(records("a", "1", "!", "@")...)
		if got := drainRecords(t, f); !equal(out, records("a", "1")) || !equal(got, records("a", "1")) {
			t.Fatalf("put %q get %q", out, got)
		}
	})
	t.Run("passes the standard checks on octet chunks", func(t *testing.T) {
		checkStandard(t, filter.NewGrep(filter.GrepOptions{Code: isWord}), chunks("a", "!", "1"), blocks("a", "1"), []byte("a1"))
	})
	t.Run("modify swaps the functions given", func(t *testing.T) {
		f := filter.NewGrep(filter.GrepOptions{Code: func(any) bool { return false }})
		f.Modify(filter.GrepOptions{Get: hasDigit})
		f.GetOneStartRecords(records("a", "1")...)
		if got := drainRecords(t, f); !equal(got, records("1")) {
			t.Fatalf("get %q", got)
		}
		f.Modify(filter.GrepOptions{Put: hasLetter})
		if out, _ := f.PutRecords(records("A", "1")...); !equal(out, records("A")) {
			t.Fatalf("put %q", out)
		}
	})
	t.Run("get_pending shows the queued records and get_one takes them one at a time", func(t *testing.T) {
		f := filter.NewGrep(filter.GrepOptions{Code: func(r any) bool { return r.(int)&1 == 1 }})
		f.GetOneStartRecords(1, 1, 2, 3, 5)
		if p := f.PendingRecords(); !equal(p, []any{1, 1, 2, 3, 5}) {
			t.Fatalf("pending %v", p)
		}
		for _, want := range []int{1, 1, 3, 5} {
			if rec, ok, _ := f.GetOne(); !ok || rec != want {
				t.Fatalf("got %v, want %d", rec, want)
			}
		}
		if _, ok, _ := f.GetOne(); ok {
			t.Fatal("more records")
		}
	})
}

func drainRecords(t *testing.T, f filter.Filter) []any {
	t.Helper()
	var out []any
	for {
		rec, ok, err := f.GetOne()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, rec)
	}
}
