package filters_test

import (
	"reflect"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// TestFilterChange mirrors the filter-level facts of
// t/10_units/05_filters/99_filterchange.t: a partial record stays pending,
// and a wheel switching filters mid-stream hands the old filter's pending
// octets to the new one, which is how IKC goes from its Line negotiation
// to Reference frames.
func TestFilterChange(t *testing.T) {
	t.Run("Line leaves a partial line pending", func(t *testing.T) {
		f := filter.NewLine()
		got := getChunks(t, f, chunks("whole line\r\n", "partial line"))
		if !equal(got, records("whole line")) || string(f.GetPending()) != "partial line" {
			t.Fatalf("got %q pending %q", got, f.GetPending())
		}
	})
	t.Run("Block leaves a partial block pending", func(t *testing.T) {
		f := filter.NewBlock(filter.BlockOptions{BlockSize: 64})
		whole := make([]byte, 64)
		copy(whole, "whole block")
		got := getChunks(t, f, [][]byte{whole, []byte("partial block")})
		if !equal(got, []any{whole}) || string(f.GetPending()) != "partial block" {
			t.Fatalf("got %q pending %q", got, f.GetPending())
		}
	})
	t.Run("Reference leaves a partial frame pending", func(t *testing.T) {
		f := newRef(filter.ReferenceOptions{})
		wire, _ := f.Put(nil, "whole_reference")
		got := getChunks(t, f, [][]byte{wire, []byte("100\x00partial reference")})
		if !equal(got, records("whole_reference")) || string(f.GetPending()) != "100\x00partial reference" {
			t.Fatalf("got %q pending %q", got, f.GetPending())
		}
	})
	t.Run("switching from Line to Reference mid-block carries the pending octets over", func(t *testing.T) {
		ref := newRef(filter.ReferenceOptions{})
		frames, _ := ref.Put(nil, map[string]any{"x": 1.0}, "two")
		wire := append([]byte("HELLO\nDONE\n"), frames...) // LF only: a split CR LF would add an empty line, as in POE
		for cut := 0; cut <= len(wire); cut++ {
			got := switchAt(t, wire[:cut], wire[cut:])
			want := []any{"HELLO", "DONE", map[string]any{"x": 1.0}, "two"}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("cut at %d: got %v", cut, got)
			}
		}
	})
	cycle := []struct {
		name string
		mk   func() filter.Filter
		rec  any
	}{
		{"line", func() filter.Filter { return filter.NewLine() }, "kyriel"},
		{"reference", func() filter.Filter { return newRef(filter.ReferenceOptions{}) }, "coral"},
		{"block", func() filter.Filter { return filter.NewBlock() }, []byte("fimmtiu")},
		{"line again", func() filter.Filter { return filter.NewLine() }, "sky"},
		{"block again", func() filter.Filter { return filter.NewBlock() }, []byte("braderuna")},
		{"reference again", func() filter.Filter { return newRef(filter.ReferenceOptions{}) }, "dynweb"},
	}
	t.Run("a stream written in many modes at once is read back by switching after each record", func(t *testing.T) {
		var wire []byte
		for _, c := range cycle {
			wire, _ = c.mk().Put(wire, c.rec)
		}
		in := cycle[0].mk()
		in.GetOneStart(wire)
		for i, c := range cycle {
			rec, ok, err := in.GetOne()
			if err != nil || !ok || !equalRec(rec, c.rec) {
				t.Fatalf("step %d (%s): got %q %v %v", i, c.name, rec, ok, err)
			}
			if i+1 < len(cycle) {
				next := cycle[i+1].mk()
				next.GetOneStart(in.GetPending())
				in = next
			}
		}
	})
}

// switchAt reads Line records from a and b as a ReadWrite wheel would, one
// record at a time, and switches to Reference after "DONE".
func switchAt(t *testing.T, a, b []byte) []any {
	t.Helper()
	var in filter.Filter = filter.NewLine()
	var got []any
	for _, chunk := range [][]byte{a, b} {
		in.GetOneStart(chunk)
		for {
			rec, ok, err := in.GetOne()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			got = append(got, rec)
			if rec == "DONE" {
				next := newRef(filter.ReferenceOptions{})
				if p := in.GetPending(); p != nil {
					next.GetOneStart(p)
				}
				in = next
			}
		}
	}
	return got
}
