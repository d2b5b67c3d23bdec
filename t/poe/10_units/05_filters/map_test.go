package filters_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

func upper(r any) []any { return []any{strings.ToUpper(str(r))} }
func lower(r any) []any { return []any{strings.ToLower(str(r))} }
func constant(s string) func(any) []any {
	return func(any) []any { return []any{s} }
}

// TestMap mirrors t/10_units/05_filters/05_map.t and the Map part of
// 50_stackable.t.
func TestMap(t *testing.T) {
	t.Run("without Code or both Get and Put it is refused", func(t *testing.T) {
		for _, o := range []filter.MapOptions{{}, {Get: upper}, {Put: upper}} {
			if o.Validate() == nil {
				t.Fatalf("%+v accepted", o)
			}
			mustPanic(t, func() { filter.NewMap(o) })
		}
	})
	cases := []struct {
		name             string
		o                filter.MapOptions
		wantPut, wantGet []any
	}{
		{"Get and Put map each direction", filter.MapOptions{Get: upper, Put: lower}, records("a", "b"), records("A", "B")},
		{"Code maps both directions", filter.MapOptions{Code: upper}, records("A", "B"), records("A", "B")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filter.NewMap(c.o)
			out, _ := f.PutRecords(records("A", "b")...)
			f.GetOneStartRecords(records("a", "B")...)
			if got := drainRecords(t, f); !equal(out, c.wantPut) || !equal(got, c.wantGet) {
				t.Fatalf("put %q get %q", out, got)
			}
		})
	}
	t.Run("modify swaps Get, Put and Code", func(t *testing.T) {
		f := filter.NewMap(filter.MapOptions{Get: constant("GET"), Put: constant("PUT")})
		f.Modify(filter.MapOptions{Get: constant("NGet")})
		f.GetOneStartRecords("a")
		if got := drainRecords(t, f); !equal(got, records("NGet")) {
			t.Fatalf("get %q", got)
		}
		f.Modify(filter.MapOptions{Put: constant("NPut")})
		if out, _ := f.PutRecords("a"); !equal(out, records("NPut")) {
			t.Fatalf("put %q", out)
		}
		f.Modify(filter.MapOptions{Code: constant("NCode")})
		out, _ := f.PutRecords("a")
		f.GetOneStartRecords("a")
		if got := drainRecords(t, f); !equal(out, records("NCode")) || !equal(got, records("NCode")) {
			t.Fatalf("put %q get %q", out, got)
		}
	})
	t.Run("get_pending shows the queue and get_one maps one record at a time", func(t *testing.T) {
		f := filter.NewMap(filter.MapOptions{Code: func(r any) []any { return []any{fmt.Sprintf("(((%v)))", r)} }})
		f.GetOneStartRecords(1, 1, 2, 3, 5)
		if p := f.PendingRecords(); fmt.Sprint(p...) != "1 1 2 3 5" {
			t.Fatalf("pending %v", p)
		}
		for _, want := range []string{"(((1)))", "(((1)))", "(((2)))", "(((3)))", "(((5)))"} {
			if rec, ok, _ := f.GetOne(); !ok || rec != want {
				t.Fatalf("got %v, want %s", rec, want)
			}
		}
		if _, ok, _ := f.GetOne(); ok {
			t.Fatal("more records")
		}
	})
	t.Run("a record may map to several or to none", func(t *testing.T) {
		f := filter.NewMap(filter.MapOptions{Code: func(r any) []any {
			n := r.(int)
			out := []any{}
			for range n {
				out = append(out, n)
			}
			return out
		}})
		f.GetOneStartRecords(2, 0, 1)
		if got := drainRecords(t, f); !equal(got, []any{2, 2, 1}) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("passes the standard checks on octet chunks", func(t *testing.T) {
		checkStandard(t, filter.NewMap(filter.MapOptions{Code: upper}), chunks("a", "b"), records("A", "B"), []byte("AB"))
	})
}
