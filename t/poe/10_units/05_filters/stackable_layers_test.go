package filters_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

func lf() *filter.Line { return filter.NewLine(filter.LineOptions{Literal: "\n"}) }

func blockOf(n int) *filter.RecordBlock {
	return filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: n})
}

// length maps a line to its length, an int: a record an octet filter
// above it cannot read.
func length(r any) []any { return []any{len(str(r))} }

// TestStackableLayers holds what 50_stackable.t's push, pop, shift and
// unshift mean for the data in the stack: nothing a layer holds is lost
// when the layers change, a layer added on top reads what the stack has
// not returned yet, and an empty stack passes octets through. POE 1.370
// loses that data instead: its pop and shift hand the removed filter's
// pending input to the put of the filter below and drop the result, so
// a Stackable(Line, Stream) that shifts its Line with "partial" pending
// returns nothing, ever, for "partial". Records a layer lends
// (LineOptions.Borrow) stay as they were while the layers above, or a
// caller of Get, hold them.
func TestStackableLayers(t *testing.T) {
	cases := []struct {
		name string
		// steps runs on a new stack and returns its records, in order.
		steps func(t *testing.T) []any
		want  []any
	}{
		{"a popped RecordBlock's waiting line goes into the RecordBlock pushed in its place", func(t *testing.T) []any {
			s := filter.NewStackable(lf(), blockOf(2))
			got := drain(t, s, []byte("a\nb\nc\n"))
			s.Pop()
			s.Push(blockOf(1))
			return append(got, drain(t, s, []byte("d\n"))...)
		}, []any{records("a", "b"), records("c"), records("d")}},
		{"a popped filter's records come out of the stack when nothing is pushed", func(t *testing.T) []any {
			s := filter.NewStackable(lf(), blockOf(3))
			got := drain(t, s, []byte("a\nb\n"))
			s.Pop()
			return append(got, drain(t, s, []byte("c\n"))...)
		}, records("a", "b", "c")},
		{"a popped record the pushed filter cannot read comes out of the stack first", func(t *testing.T) []any {
			s := filter.NewStackable(lf(), filter.NewMap(filter.MapOptions{Get: length, Put: upper}), blockOf(2))
			drain(t, s, []byte("ab\n"))
			s.Pop()
			s.Push(lf())
			return drain(t, s, nil)
		}, []any{2}},
		{"an empty stack passes octets through as a Stream does", func(t *testing.T) []any {
			s := filter.NewStackable()
			return drain(t, s, []byte("raw"))
		}, blocks("raw")},
		{"octets given to an empty stack go to the filter pushed onto it", func(t *testing.T) []any {
			s := filter.NewStackable()
			s.GetOneStart([]byte("a\nb"))
			s.Push(lf())
			return drain(t, s, []byte("\n"))
		}, records("a", "b")},
		{"octets given to an empty stack go to the filter unshifted under it", func(t *testing.T) []any {
			s := filter.NewStackable()
			s.GetOneStart([]byte("a\nb"))
			s.Unshift(lf())
			return drain(t, s, []byte("\n"))
		}, records("a", "b")},
		{"popping the last filter keeps its partial input for the filter pushed next", func(t *testing.T) []any {
			s := filter.NewStackable(lf())
			got := drain(t, s, []byte("a\npart"))
			s.Pop()
			s.GetOneStart([]byte("ial"))
			s.Push(lf())
			return append(got, drain(t, s, []byte("\n"))...)
		}, records("a", "partial")},
		{"shifting the last filter leaves its partial input to come out raw", func(t *testing.T) []any {
			s := filter.NewStackable(lf())
			got := drain(t, s, []byte("a\npart"))
			s.Shift()
			return append(got, drain(t, s, []byte("ial"))...)
		}, []any{"a", []byte("partial")}},
		// Found by the Perl differential test: the Stackable gave a
		// borrowed line to the layer above as it was, so a RecordBlock
		// or a Map holding it saw it turn into the next line.
		{"lines a borrowing Line lends stay as they were in the RecordBlock above it", func(t *testing.T) []any {
			s := filter.NewStackable(filter.NewLine(filter.LineOptions{Literal: "|", Borrow: true}), blockOf(2))
			return drain(t, s, []byte("a|b|"))
		}, []any{blocks("a", "b")}},
		{"a line a borrowing Line lends stays as it was in the Map above it", func(t *testing.T) []any {
			s := filter.NewStackable(filter.NewLine(filter.LineOptions{Literal: "|", Borrow: true}),
				filter.NewMap(filter.MapOptions{Code: func(r any) []any { return []any{r, r} }}))
			got, errs := getAll(s, []byte("a|b|"))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			return got
		}, blocks("a", "a", "b", "b")},
		{"get keeps every line a borrowing top layer lends while the stack feeds it more", func(t *testing.T) []any {
			s := filter.NewStackable(filter.NewLine(), filter.NewLine(filter.LineOptions{Literal: "|", Borrow: true}))
			return drain(t, s, []byte("ab|\r\ncd|\r\n"))
		}, blocks("ab", "cd")},
		{"a filter unshifted under a stack reads the wire for it", func(t *testing.T) []any {
			s := filter.NewStackable(filter.NewMap(filter.MapOptions{Code: upper}))
			s.Unshift(lf())
			return drain(t, s, []byte("a\nb\n"))
		}, records("A", "B")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.steps(t); !equal(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestStackableGetPending holds get_pending through a stack, which a wheel
// switching away from a Stackable relies on: the result, fed to a new
// stack of the same filters, gives the records the old stack had not
// returned yet. POE 1.370 returns only the top filter's pending records
// (a Stackable(Line, Map) with a partial line reports []; one with a
// RecordBlock on top dies in RecordBlock's put), so this is the Go port's
// own contract, as stackable.go documents.
func TestStackableGetPending(t *testing.T) {
	mk := func() *filter.Stackable {
		return filter.NewStackable(lf(), filter.NewMap(filter.MapOptions{Get: upper, Put: lower}), blockOf(2))
	}
	cases := []struct {
		name, in    string
		pop         bool
		wantPending string
		want        []any
	}{
		{"an empty stack has nothing pending", "", false, "", nil},
		{"a partial line at the bottom is pending as it came", "ab", false, "ab", []any{records("AB", "CD")}},
		{"a record waiting on top is put back down, before the partial line", "ab\ncd", false, "ab\ncd", []any{records("AB", "CD")}},
		{"records a Pop released are put back down first", "ab\ncd", true, "ab\ncd", []any{records("AB", "CD")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mk()
			if got := drain(t, s, []byte(c.in)); len(got) != 0 {
				t.Fatalf("records before the end of the input: %q", got)
			}
			if c.pop {
				s.Pop()
			}
			p := s.GetPending()
			if string(p) != strings.ToLower(c.wantPending) {
				t.Fatalf("pending %q, want %q", p, c.wantPending)
			}
			if c.want == nil {
				if p != nil {
					t.Fatalf("pending %q, want nil", p)
				}
				return
			}
			next := mk()
			next.GetOneStart(p)
			if got := drain(t, next, []byte("\ncd\n")); !equal(got, c.want) {
				t.Fatalf("the next stack read %q, want %q", got, c.want)
			}
		})
	}
	t.Run("the records a Pop released are pending in a stack left without filters", func(t *testing.T) {
		s := filter.NewStackable(lf())
		drain(t, s, []byte("a\npart"))
		s.Pop()
		if p := s.GetPending(); string(p) != "part" {
			t.Fatalf("pending %q, want \"part\"", p)
		}
	})
	t.Run("octets an empty stack holds are pending", func(t *testing.T) {
		s := filter.NewStackable()
		s.GetOneStart([]byte("raw"))
		if p := s.GetPending(); string(p) != "raw" {
			t.Fatalf("pending %q", p)
		}
	})
}

// TestStackableRefusal holds what happens when a layer refuses a record
// the layer next to it made: an error of kind ErrRecordType, the record
// dropped, and the stack usable for the records that follow. Put keeps
// Filter's contract that records before the refused one are appended.
// (POE's filters take any scalar, so POE has no such case.)
func TestStackableRefusal(t *testing.T) {
	t.Run("an octet filter above a layer that makes numbers refuses them and reading goes on", func(t *testing.T) {
		s := filter.NewStackable(lf(), filter.NewMap(filter.MapOptions{Get: length, Put: upper}), lf())
		recs, errs := getAll(s, []byte("abc\nde\n"))
		if len(errs) != 2 || !errors.Is(errs[0], filter.ErrRecordType) || len(recs) != 0 {
			t.Fatalf("recs %q errs %v", recs, errs)
		}
		if !strings.Contains(errs[0].Error(), "int cannot be fed to *filter.Line") {
			t.Fatalf("message %q", errs[0])
		}
		s.Filters()[1].(*filter.Map).Modify(filter.MapOptions{Get: func(r any) []any { return []any{str(r) + "\n"} }})
		if got := drain(t, s, []byte("x\ny\n")); !equal(got, records("x", "y")) {
			t.Fatalf("after the errors got %q", got)
		}
	})
	cases := []struct {
		name    string
		s       *filter.Stackable
		records []any
		want    string
	}{
		{"a Line above a Line refuses a number after the lines before it",
			filter.NewStackable(filter.NewLine(), lf()), []any{"a", 42, "b"}, "a\n\r\n"},
		{"a RecordBlock refuses a record that is not a block after the blocks before it",
			filter.NewStackable(lf(), blockOf(2)), []any{records("a", "b"), "c", records("d")}, "a\nb\n"},
		{"the bottom filter refuses a number after the lines before it",
			filter.NewStackable(lf(), filter.NewMap(filter.MapOptions{Code: func(r any) []any { return []any{r} }})), []any{"a", 42, "b"}, "a\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			put, err := c.s.Put([]byte(">"), c.records...)
			if !errors.Is(err, filter.ErrRecordType) {
				t.Fatalf("err %v", err)
			}
			if string(put) != ">"+c.want {
				t.Fatalf("put %q, want %q", put, ">"+c.want)
			}
		})
	}
	t.Run("a Grep that drops every record leaves nothing to put", func(t *testing.T) {
		s := filter.NewStackable(lf(), filter.NewGrep(filter.GrepOptions{Code: func(r any) bool { return r != "x" }}))
		put, err := s.Put([]byte(">"), "x", "x")
		if err != nil || string(put) != ">" {
			t.Fatalf("put %q err %v", put, err)
		}
		if put, _ := s.Put(nil, "x", "y"); string(put) != "y\n" {
			t.Fatalf("put %q", put)
		}
	})
	t.Run("an empty stack puts octets as they are and refuses anything else", func(t *testing.T) {
		put, err := filter.NewStackable().Put(nil, "a", []byte("b"), 3)
		if string(put) != "ab" || !errors.Is(err, filter.ErrRecordType) {
			t.Fatalf("put %q err %v", put, err)
		}
	})
}

// TestStackablePutPerRecord holds 50_stackable.t's put direction for more
// than one record: each layer puts each record on its own, so a Block
// under a Line frames every line, and a Block under a Stream every chunk.
// Sequences taken from Perl POE 1.370: Stackable(Block, Line)->put(["a",
// "b"]) is ["3\0a\r\n", "3\0b\r\n"], and Stackable(Block, Stream) gives
// ["1\0a", "1\0b"]. A fixed-size Block joins what it puts, as in POE.
func TestStackablePutPerRecord(t *testing.T) {
	cases := []struct {
		name string
		s    *filter.Stackable
		want string
	}{
		{"a Block under a Line frames each line", filter.NewStackable(filter.NewBlock(), filter.NewLine()), "3\x00a\r\n3\x00b\r\n"},
		{"a Block under a Stream frames each chunk", filter.NewStackable(filter.NewBlock(), filter.NewStream()), "1\x00a1\x00b"},
		{"a Block under a Reference frames each frame", filter.NewStackable(filter.NewBlock(), newRef(filter.ReferenceOptions{})), "5\x003\x00\"a\"5\x003\x00\"b\""},
		{"a Line under a fixed-size Block ends the joined blocks once", filter.NewStackable(filter.NewLine(), filter.NewBlock(filter.BlockOptions{BlockSize: 1})), "ab\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			put, err := c.s.Put(nil, "a", "b")
			if err != nil || string(put) != c.want {
				t.Fatalf("put %q err %v, want %q", put, err, c.want)
			}
			got, err := c.s.Clone().Get(put)
			if err != nil || len(got) == 0 {
				t.Fatalf("reading the put back: %q %v", got, err)
			}
		})
	}
}
