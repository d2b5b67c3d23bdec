package filters_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// stack50 is 50_stackable.t's stack: Line("!"), a Map that wraps input in
// parens and flattens output blocks, a Grep keeping input with a 1, and
// RecordBlock(2).
func stack50() *filter.Stackable {
	return filter.NewStackable(
		filter.NewLine(filter.LineOptions{Literal: "!"}),
		filter.NewMap(filter.MapOptions{
			Get: func(r any) []any { return []any{fmt.Sprintf("(((%s)))", r)} },
			Put: func(r any) []any {
				if b, ok := r.([]any); ok {
					return b
				}
				return []any{r}
			},
		}),
		filter.NewGrep(filter.GrepOptions{
			Get: func(r any) bool { return strings.Contains(r.(string), "1") },
			Put: func(any) bool { return true },
		}),
		filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: 2}),
	)
}

// TestStackable mirrors t/10_units/05_filters/50_stackable.t.
func TestStackable(t *testing.T) {
	t.Run("records go up through every layer and come out in blocks", func(t *testing.T) {
		s := stack50()
		if got := drain(t, s, []byte("test one (1)!test two (2)!")); len(got) != 0 {
			t.Fatalf("partial get gave %q", got)
		}
		rb := s.Filters()[3].(*filter.RecordBlock)
		if p := rb.PendingRecords(); !equal(p, records("(((test one (1))))")) {
			t.Fatalf("top pending %q", p)
		}
		if p := string(s.GetPending()); p != "(((test one (1))))!" {
			t.Fatalf("stack pending %q", p)
		}
		got := drain(t, s, []byte("test three (3)!test four (100)!"))
		want := []any{records("(((test one (1))))", "(((test four (100))))")}
		if !equal(got, want) {
			t.Fatalf("got %q", got)
		}
		put, err := s.Put(nil, got[0], got[0])
		if err != nil || string(put) != "(((test one (1))))!(((test four (100))))!(((test one (1))))!(((test four (100))))!" {
			t.Fatalf("put %q err %v", put, err)
		}
	})
	t.Run("the filter types are listed bottom first", func(t *testing.T) {
		want := "[*filter.Line *filter.Map *filter.Grep *filter.RecordBlock]"
		if got := fmt.Sprint(stack50().FilterTypes()); got != want {
			t.Fatalf("got %s", got)
		}
	})
	t.Run("pop, shift, push and unshift restore the original order", func(t *testing.T) {
		s := stack50()
		before := s.Filters()
		top, bottom := s.Pop(), s.Shift()
		if _, ok := top.(*filter.RecordBlock); !ok {
			t.Fatalf("popped %T", top)
		}
		if _, ok := bottom.(*filter.Line); !ok {
			t.Fatalf("shifted %T", bottom)
		}
		s.Push(top)
		s.Unshift(bottom)
		for i, f := range s.Filters() {
			if f != before[i] {
				t.Fatalf("filter %d is %p, was %p", i, f, before[i])
			}
		}
	})
	t.Run("a clone has new filters of the same types", func(t *testing.T) {
		s := stack50()
		c := s.Clone().(*filter.Stackable)
		if fmt.Sprint(c.FilterTypes()) != fmt.Sprint(s.FilterTypes()) {
			t.Fatal("types differ")
		}
		for i, f := range c.Filters() {
			if f == s.Filters()[i] {
				t.Fatalf("filter %d shared", i)
			}
		}
	})
	t.Run("Line then Block(2) splits lines into blocks and puts through both", func(t *testing.T) {
		s := filter.NewStackable(filter.NewLine(), filter.NewBlock(filter.BlockOptions{BlockSize: 2}))
		if got := drain(t, s, []byte("abcd\r\nef\r\n")); !equal(got, blocks("ab", "cd", "ef")) {
			t.Fatalf("got %q", got)
		}
		if put, _ := s.Put(nil, "xy"); string(put) != "xy\r\n" {
			t.Fatalf("put %q", put)
		}
	})
	t.Run("a popped filter's pending records come out of the stack", func(t *testing.T) {
		s := filter.NewStackable(filter.NewLine(), filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: 2}))
		drain(t, s, []byte("a\r\nb"))
		s.Pop()
		if got := drain(t, s, []byte("\r\n")); !equal(got, records("a", "b")) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("a shifted filter's pending octets go to the new bottom", func(t *testing.T) {
		s := filter.NewStackable(filter.NewLine(), filter.NewStream())
		drain(t, s, []byte("partial"))
		s.Shift()
		if got := drain(t, s, nil); !equal(got, blocks("partial")) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("passes the standard checks", func(t *testing.T) {
		mk := func() filter.Filter {
			return filter.NewStackable(filter.NewLine(filter.LineOptions{Literal: "\n"}), filter.NewBlock(filter.BlockOptions{BlockSize: 1}))
		}
		checkStandard(t, mk(), chunks("a\n", "b\n"), blocks("a", "b"), []byte("ab\n")) // Block joins what it puts, as in POE
		checkSplits(t, mk, []byte("ab\nc\n"), blocks("a", "b", "c"))
	})
}
