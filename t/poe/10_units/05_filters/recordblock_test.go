package filters_test

import (
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

func flat(s ...string) []any { return records(s...) }

func block(s ...string) any { return records(s...) }

// TestRecordBlock mirrors t/10_units/05_filters/06_recordblock.t.
func TestRecordBlock(t *testing.T) {
	t.Run("groups input records into blocks and flattens blocks on put", func(t *testing.T) {
		f := filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: 4})
		f.GetOneStartRecords(flat("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")...)
		got := drainRecords(t, f)
		if !equal(got, []any{block("1", "2", "3", "4"), block("5", "6", "7", "8")}) {
			t.Fatalf("got %q", got)
		}
		if p := f.PendingRecords(); !equal(p, flat("9", "10")) {
			t.Fatalf("pending %q", p)
		}
		out, _ := f.PutRecords(got...)
		if !equal(out, flat("1", "2", "3", "4", "5", "6", "7", "8")) {
			t.Fatalf("put %q", out)
		}
	})
	t.Run("the block size can be changed but not to less than one", func(t *testing.T) {
		f := filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: 4})
		f.SetBlockSize(2)
		f.SetBlockSize(0)
		f.SetBlockSize(-50)
		if f.BlockSize() != 2 {
			t.Fatalf("block size %d", f.BlockSize())
		}
	})
	t.Run("a block size below one is refused", func(t *testing.T) {
		for _, n := range []int{0, -1} {
			o := filter.RecordBlockOptions{BlockSize: n}
			if o.Validate() == nil {
				t.Fatalf("%d accepted", n)
			}
			mustPanic(t, func() { filter.NewRecordBlock(o) })
		}
	})
	checked := []struct {
		name        string
		put         []any
		want        []any
		wantPending []any
	}{
		{"CheckPut holds back short blocks", []any{block("1", "2"), block("3", "A")}, flat("1", "2", "3"), flat("A")},
		{"CheckPut cuts long blocks", []any{block("2", "3", "1", "2", "3"), block("1", "2", "3", "B")}, flat("A", "2", "3", "1", "2", "3", "1", "2", "3"), flat("B")},
		{"CheckPut joins mixed blocks", []any{block("2", "3", "1", "2"), block("3", "1"), block("2", "3", "1"), block("2", "3")}, flat("B", "2", "3", "1", "2", "3", "1", "2", "3", "1", "2", "3"), nil},
	}
	f := filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: 3, CheckPut: true})
	for _, c := range checked {
		t.Run(c.name, func(t *testing.T) {
			out, err := f.PutRecords(c.put...)
			if err != nil || !equal(out, c.want) || !equal(f.PutPending(), c.wantPending) {
				t.Fatalf("put %q pending %q err %v", out, f.PutPending(), err)
			}
		})
	}
	t.Run("CheckPut can be turned off", func(t *testing.T) {
		f := filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: 3})
		if f.CheckPut() {
			t.Fatal("CheckPut on by default")
		}
		out, _ := f.PutRecords(block("1", "2"), block("1", "2"))
		if !equal(out, flat("1", "2", "1", "2")) || f.PutPending() != nil {
			t.Fatalf("put %q", out)
		}
		f.SetCheckPut(true)
		if !f.CheckPut() {
			t.Fatal("SetCheckPut ignored")
		}
	})
	t.Run("passes the standard checks on octet chunks", func(t *testing.T) {
		checkStandard(t, filter.NewRecordBlock(filter.RecordBlockOptions{BlockSize: 2}), chunks("a", "b", "c", "d"),
			[]any{[]any{[]byte("a"), []byte("b")}, []any{[]byte("c"), []byte("d")}}, []byte("abcd"))
	})
}
