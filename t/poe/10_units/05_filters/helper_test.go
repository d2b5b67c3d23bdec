// Package filters_test ports POE's t/10_units/05_filters: each file checks
// the facts of the Perl test it names, against the Go filters.
package filters_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// checkStandard mirrors TestFilter.pm's test_filter_standard: get, clone
// clears the buffer and keeps the type, get_one_start only loads the
// buffer, get_one yields what get did, and put gives the expected octets.
func checkStandard(t *testing.T, f filter.Filter, in [][]byte, want []any, wantPut []byte) {
	t.Helper()
	got := getChunks(t, f, in)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("get: got %q, want %q", got, want)
	}
	c := f.Clone()
	if p := c.GetPending(); p != nil {
		t.Fatalf("clone kept pending input %q", p)
	}
	if reflect.TypeOf(c) != reflect.TypeOf(f) {
		t.Fatalf("clone changed the type from %T to %T", f, c)
	}
	for _, chunk := range in {
		c.GetOneStart(chunk)
	}
	if p, all := c.GetPending(), bytes.Join(in, nil); !bytes.Equal(p, all) {
		t.Fatalf("get_one_start did more than load the buffer: pending %q, want %q", p, all)
	}
	var one []any
	for {
		rec, ok, err := c.GetOne()
		if err != nil {
			t.Fatalf("get_one: %v", err)
		}
		if !ok {
			break
		}
		one = append(one, rec)
	}
	if !reflect.DeepEqual(one, want) {
		t.Fatalf("get_one: got %q, want %q", one, want)
	}
	put, err := c.Put(nil, want...)
	if err != nil {
		t.Fatalf("put: %v", err)
	}
	if !bytes.Equal(put, wantPut) {
		t.Fatalf("put: got %q, want %q", put, wantPut)
	}
}

// getChunks feeds chunks as POE's get([...]) does and returns the records.
func getChunks(t *testing.T, f filter.Filter, in [][]byte) []any {
	t.Helper()
	for _, chunk := range in[:max(len(in)-1, 0)] {
		f.GetOneStart(chunk)
	}
	var last []byte
	if len(in) > 0 {
		last = in[len(in)-1]
	}
	got, err := f.Get(last)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	return got
}

// checkSplits checks that wire split at every byte boundary, and fed one
// octet at a time, gives the same records as wire in one piece.
func checkSplits(t *testing.T, mk func() filter.Filter, wire []byte, want []any) {
	t.Helper()
	for i := 0; i <= len(wire); i++ {
		f := mk()
		got := drain(t, f, wire[:i])
		got = append(got, drain(t, f, wire[i:])...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("split at %d: got %q, want %q", i, got, want)
		}
	}
	f := mk()
	var got []any
	for i := range wire {
		got = append(got, drain(t, f, wire[i:i+1])...)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("one octet at a time: got %q, want %q", got, want)
	}
}

func drain(t *testing.T, f filter.Filter, data []byte) []any {
	t.Helper()
	got, err := f.Get(data)
	if err != nil {
		t.Fatalf("get %q: %v", data, err)
	}
	return got
}

// getAll calls GetOne until no record is left, collecting records and
// errors, the way a wheel keeps going after a filter error.
func getAll(f filter.Filter, data []byte) (recs []any, errs []error) {
	f.GetOneStart(data)
	for {
		rec, ok, err := f.GetOne()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			return recs, errs
		}
		recs = append(recs, rec)
	}
}

func chunks(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, c := range s {
		out[i] = []byte(c)
	}
	return out
}

func records(s ...string) []any {
	out := make([]any, len(s))
	for i, c := range s {
		out[i] = c
	}
	return out
}

func blocks(s ...string) []any {
	out := make([]any, len(s))
	for i, c := range s {
		out[i] = []byte(c)
	}
	return out
}

func mustPanic(t *testing.T, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	fn()
}

// requirePerl skips the test unless perl loads POE and the other modules
// given, as the Perl cross-checks and differential tests need.
func requirePerl(t *testing.T, modules ...string) {
	t.Helper()
	args := []string{"-MPOE"}
	for _, m := range modules {
		args = append(args, "-M"+m)
	}
	args = append(args, "-e1")
	if err := exec.Command("perl", args...).Run(); err != nil {
		t.Skipf("skipping: perl %s failed (%v); the test needs Perl with %s (POE on Debian: libpoe-perl)",
			strings.Join(args, " "), err, strings.Join(append([]string{"POE"}, modules...), ", "))
	}
}

// jsonSer is a serializer for tests, as 07_reference.t's MyFreezer: JSON,
// so Perl's JSON::PP can be the other side.
type jsonSer struct{}

func (jsonSer) Name() string { return "JSON" }

func (jsonSer) Freeze(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

func (jsonSer) Thaw(data []byte) (any, error) {
	var v any
	err := json.Unmarshal(data, &v)
	return v, err
}

// dyingSer fails every thaw, as 51_reference_die.t's serializer does.
type dyingSer struct{ jsonSer }

func (dyingSer) Thaw([]byte) (any, error) { return nil, errors.New("thaw died") }
