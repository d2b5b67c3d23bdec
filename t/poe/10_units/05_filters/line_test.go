package filters_test

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// TestLine mirrors t/10_units/05_filters/04_line.t.
func TestLine(t *testing.T) {
	t.Run("the default mode accepts CR, LF, CR LF and LF CR and puts CR LF", func(t *testing.T) {
		checkStandard(t, filter.NewLine(), chunks("a\r", "b\n", "c\r\n", "d\n\r"),
			records("a", "b", "c", "d"), []byte("a\r\nb\r\nc\r\nd\r\n"))
	})
	t.Run("a literal terminator splits input and ends output", func(t *testing.T) {
		checkStandard(t, filter.NewLine(filter.LineOptions{Literal: "x"}), chunks("axa", "bxb", "cxc", "dxd"),
			records("a", "ab", "bc", "cd"), []byte("axabxbcxcdx"))
	})
	t.Run("different input and output literals", func(t *testing.T) {
		f := filter.NewLine(filter.LineOptions{InputLiteral: "x", OutputLiteral: "y"})
		got := getChunks(t, f, chunks("axa", "bxb", "cxc", "dxd"))
		put, _ := f.Put(nil, got...)
		if string(put) != "ayabybcycdy" {
			t.Fatalf("got %q", put)
		}
	})
	t.Run("an input regexp with an output literal", func(t *testing.T) {
		f := filter.NewLine(filter.LineOptions{InputRegexp: regexp.MustCompile("[xy]"), OutputLiteral: "!"})
		got := getChunks(t, f, chunks("axa", "byb", "cxc", "dyd"))
		put, _ := f.Put(nil, got...)
		if string(put) != "a!ab!bc!cd!" {
			t.Fatalf("got %q", put)
		}
	})
	t.Run("the spec's default-mode examples hold", func(t *testing.T) {
		f := filter.NewLine()
		put, _ := f.Put(nil, "a", []byte("b\n"))
		if string(put) != "a\r\nb\n\r\n" {
			t.Fatalf("put %q", put)
		}
		got := drain(t, f, []byte("a\rb\nc\r\nd\n\re"))
		if !equal(got, records("a", "b", "c", "d")) || string(f.GetPending()) != "e" {
			t.Fatalf("got %q pending %q", got, f.GetPending())
		}
	})
	t.Run("a CR LF split across reads ends a line and then gives an empty one", func(t *testing.T) {
		f := filter.NewLine()
		a := drain(t, f, []byte("HELLO\r"))
		b := drain(t, f, []byte("\nNEXT\r\n"))
		if !equal(a, records("HELLO")) || !equal(b, records("", "NEXT")) {
			t.Fatalf("got %q then %q", a, b)
		}
	})
	t.Run("a literal LF keeps the CR in the line", func(t *testing.T) {
		got := drain(t, filter.NewLine(filter.LineOptions{Literal: "\n"}), []byte("a\r\nb\n"))
		if !equal(got, records("a\r", "b")) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("records split at every octet give the same lines", func(t *testing.T) {
		checkSplits(t, func() filter.Filter { return filter.NewLine() }, []byte("one\ntwo\n\nthree\n"), records("one", "two", "", "three"))
		checkSplits(t, func() filter.Filter { return filter.NewLine(filter.LineOptions{Literal: "\r\n"}) },
			[]byte("one\r\ntwo\r\n\r\nth\rree\r\n"), records("one", "two", "", "th\rree"))
		checkSplits(t, func() filter.Filter { return filter.NewLine(filter.LineOptions{Autodetect: true}) },
			[]byte("one\r\ntwo\r\nthree\r\n"), records("one", "two", "three"))
	})
	t.Run("put refuses a record that is not text", func(t *testing.T) {
		_, err := filter.NewLine().Put(nil, 42)
		if !errors.Is(err, filter.ErrRecordType) {
			t.Fatalf("err %v", err)
		}
	})
}

// TestLineAutodetect mirrors 04_line.t's newline autodetection cases.
func TestLineAutodetect(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want string
	}{
		{"CR LF split between reads is detected as CR LF", []string{"a\r", "\nb\r\n", "c\n\r", "\n"}, "a!b!c\n!"},
		{"LF CR on the first line is detected as LF CR", []string{"a\n\r", "\rb\n\r", "c\r", "\n\r"}, "a!\rb!c\r!"},
		{"a lone LF followed by more input is detected as LF", []string{"a\n", "b\r\n", "c\r", "\n"}, "a!b\r!c\r!"},
		{"the spec's example detects CR LF", []string{"one\r", "\ntwo\r\nthree\n"}, "one!two!"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filter.NewLine(filter.LineOptions{Autodetect: true, OutputLiteral: "!"})
			var got []any
			for _, in := range c.in {
				got = append(got, drain(t, f, []byte(in))...)
			}
			put, _ := f.Put(nil, got...)
			if string(put) != c.want {
				t.Fatalf("got %q, want %q", put, c.want)
			}
		})
	}
}

// TestLineOptions mirrors 04_line.t's constructor checks.
func TestLineOptions(t *testing.T) {
	re := regexp.MustCompile("\r")
	bad := []struct {
		name string
		o    filter.LineOptions
	}{
		{"Literal with InputRegexp is refused", filter.LineOptions{Literal: "\n", InputRegexp: re}},
		{"Literal with InputLiteral is refused", filter.LineOptions{Literal: "\n", InputLiteral: "\r"}},
		{"Literal with OutputLiteral is refused", filter.LineOptions{Literal: "\n", OutputLiteral: "\r"}},
		{"InputLiteral with InputRegexp is refused", filter.LineOptions{InputLiteral: "\n", InputRegexp: re}},
		{"MaxLength above MaxBuffer is refused", filter.LineOptions{MaxLength: 10, MaxBuffer: 5}},
		{"a negative MaxLength is refused", filter.LineOptions{MaxLength: -1}},
		{"a negative MaxBuffer is refused", filter.LineOptions{MaxBuffer: -1}},
		{"a regexp matching nothing at all is refused", filter.LineOptions{InputRegexp: regexp.MustCompile("x*")}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if c.o.Validate() == nil {
				t.Fatal("accepted")
			}
			mustPanic(t, func() { filter.NewLine(c.o) })
		})
	}
}

// TestLineLimits mirrors 04_line.t's MaxLength and MaxBuffer tests and
// checks that the filter stays usable after them.
func TestLineLimits(t *testing.T) {
	data := "This line is going to be to long for our filter\n"
	t.Run("a line over MaxLength is an error and the next line still comes", func(t *testing.T) {
		f := filter.NewLine(filter.LineOptions{MaxLength: 10})
		recs, errs := getAll(f, []byte(data+"short\n"))
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "line exceeds") || !errors.Is(errs[0], filter.ErrLineLength) {
			t.Fatalf("errs %v", errs)
		}
		if errs[0].Error() != "filter.Line: next line exceeds maximum line length (47 > 10)" {
			t.Fatalf("message %q", errs[0])
		}
		if !equal(recs, records("short")) {
			t.Fatalf("recs %q", recs)
		}
	})
	t.Run("a buffer over MaxBuffer is an error and nothing is lost", func(t *testing.T) {
		f := filter.NewLine(filter.LineOptions{MaxBuffer: 10, MaxLength: 5})
		_, err := f.Get([]byte(data))
		if err == nil || !strings.Contains(err.Error(), "buffer exceeds") {
			t.Fatalf("err %v", err)
		}
		if string(f.GetPending()) != data {
			t.Fatalf("pending %q", f.GetPending())
		}
	})
	t.Run("an endless line is cut off at MaxLength and reading resumes after its terminator", func(t *testing.T) {
		f := filter.NewLine(filter.LineOptions{Literal: "\r\n", MaxLength: 8})
		var errs []error
		for range 10 {
			_, e := getAll(f, []byte("xxxxxxx"))
			errs = append(errs, e...)
			if len(f.GetPending()) > 9 {
				t.Fatalf("buffer grew to %d", len(f.GetPending()))
			}
		}
		recs, e := getAll(f, []byte("x\r\nnext\r\n"))
		errs = append(errs, e...)
		if len(errs) != 1 || !errors.Is(errs[0], filter.ErrLineLength) || !equal(recs, records("next")) {
			t.Fatalf("errs %v recs %q", errs, recs)
		}
	})
}

func equal(a, b []any) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalRec(a[i], b[i]) {
			return false
		}
	}
	return true
}

func equalRec(a, b any) bool {
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case []any:
		y, ok := b.([]any)
		return ok && equal(x, y)
	}
	return a == b
}

// borrowedLines feeds data to f and takes its lines one GetOne at a time,
// as a wheel does, copying each borrowed line before the next call.
func borrowedLines(t *testing.T, f filter.Filter, data []byte) (lines []string, errs int) {
	t.Helper()
	f.GetOneStart(data)
	for {
		rec, ok, err := f.GetOne()
		if err != nil {
			errs++
			continue
		}
		if !ok {
			return lines, errs
		}
		b, isBytes := rec.([]byte)
		if !isBytes {
			t.Fatalf("a borrowed line is %T, want []byte", rec)
		}
		lines = append(lines, string(b))
	}
}

// plainLines is borrowedLines for a Line that gives strings.
func plainLines(t *testing.T, f filter.Filter, data []byte) (lines []string, errs int) {
	t.Helper()
	recs, ferrs := getAll(f, data)
	for _, r := range recs {
		lines = append(lines, r.(string))
	}
	return lines, len(ferrs)
}

// TestLineBorrow checks LineOptions.Borrow: the same lines, and the same
// errors, as []byte views of the filter's buffer, with no allocation.
func TestLineBorrow(t *testing.T) {
	input := "one\r\ntwo\n\nthree\rfour\n\rfive and then a very long line\npart"
	modes := []struct {
		name string
		o    filter.LineOptions
	}{
		{"default", filter.LineOptions{}},
		{"literal", filter.LineOptions{Literal: "\n"}},
		{"literal with a limit", filter.LineOptions{Literal: "\r\n", MaxLength: 8}},
		{"regexp", filter.LineOptions{InputRegexp: regexp.MustCompile("[\r\n]+")}},
		{"autodetect", filter.LineOptions{Autodetect: true}},
		{"default with a limit", filter.LineOptions{MaxLength: 8}},
	}
	for _, m := range modes {
		t.Run(m.name+": the same lines and errors", func(t *testing.T) {
			plain := filter.NewLine(m.o)
			want, wantErrs := plainLines(t, plain, []byte(input))
			o := m.o
			o.Borrow = true
			f := filter.NewLine(o)
			got, gotErrs := borrowedLines(t, f, []byte(input))
			if !slices.Equal(got, want) || gotErrs != wantErrs {
				t.Fatalf("borrowed %q with %d errors, want %q with %d", got, gotErrs, want, wantErrs)
			}
			if p, wantP := f.GetPending(), plain.GetPending(); !bytes.Equal(p, wantP) {
				t.Fatalf("pending %q, want %q", p, wantP)
			}
		})
	}
	t.Run("a line is lent until the next call", func(t *testing.T) {
		f := filter.NewLine(filter.LineOptions{Borrow: true})
		f.GetOneStart([]byte("ab\ncd\n"))
		a, _, _ := f.GetOne()
		if string(a.([]byte)) != "ab" {
			t.Fatalf("first line %q", a)
		}
		b, _, _ := f.GetOne()
		if string(b.([]byte)) != "cd" || string(a.([]byte)) != "cd" {
			t.Fatalf("lines %q and %q, want both the second line's view", a, b)
		}
	})
	t.Run("get gives every line a view of its own", func(t *testing.T) {
		f := filter.NewLine(filter.LineOptions{Borrow: true})
		recs, err := f.Get([]byte("ab\ncd\nef\n"))
		if err != nil || len(recs) != 3 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		for i, want := range []string{"ab", "cd", "ef"} {
			if got := string(recs[i].([]byte)); got != want {
				t.Fatalf("line %d is %q, want %q", i, got, want)
			}
		}
	})
	t.Run("a clone borrows too", func(t *testing.T) {
		c := filter.NewLine(filter.LineOptions{Borrow: true}).Clone()
		if lines, _ := borrowedLines(t, c, []byte("x\n")); !slices.Equal(lines, []string{"x"}) {
			t.Fatalf("clone gave %q", lines)
		}
	})
	t.Run("no line allocates", func(t *testing.T) {
		f := filter.NewLine(filter.LineOptions{Literal: "\n", Borrow: true})
		block := []byte(strings.Repeat("0123456789abcde\n", 64))
		allocs := testing.AllocsPerRun(50, func() {
			f.GetOneStart(block)
			for n := 0; ; n++ {
				if _, ok, _ := f.GetOne(); !ok {
					if n != 64 {
						t.Fatalf("%d lines, want 64", n)
					}
					return
				}
			}
		})
		if allocs != 0 {
			t.Fatalf("%v allocations per 64 lines", allocs)
		}
	})
}
