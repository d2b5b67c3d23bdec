package filters_test

import (
	"errors"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// TestRecordBlockPut holds RecordBlock's octet Put, the form a wheel uses
// when a RecordBlock is its only filter: blocks of string or []byte records
// are flattened into dst, and a record that is not a block, or a block
// holding something that is not text, is refused after the records before
// it have been appended, as Filter's Put promises.
func TestRecordBlockPut(t *testing.T) {
	cases := []struct {
		name     string
		checkPut bool
		records  []any
		want     string
		wantErr  bool
		pending  []any
	}{
		{"blocks of text are flattened", false, []any{records("a", "b"), []any{[]byte("c")}}, ">abc", false, nil},
		{"a record that is not a block is refused after the blocks before it", false, []any{records("a", "b"), "c", records("d")}, ">ab", true, nil},
		{"a block holding a number is refused after the text before it", false, []any{[]any{"a", 1, "b"}}, ">a", true, nil},
		{"with CheckPut only whole blocks leave", true, []any{records("a", "b", "c")}, ">ab", false, records("c")},
		{"with CheckPut a refusal lets the whole blocks before it leave", true, []any{records("a", "b", "c"), 7}, ">ab", true, records("c")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: 2, CheckPut: c.checkPut})
			put, err := f.Put([]byte(">"), c.records...)
			if string(put) != c.want || (err != nil) != c.wantErr {
				t.Fatalf("put %q err %v, want %q and an error: %v", put, err, c.want, c.wantErr)
			}
			if p := f.PutPending(); !equal(p, c.pending) {
				t.Fatalf("put_pending %q, want %q", p, c.pending)
			}
			if err != nil && !errors.Is(err, filter.ErrRecordType) {
				t.Fatalf("err %v, want ErrRecordType", err)
			}
		})
	}
}
