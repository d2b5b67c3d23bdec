package filters_test

import (
	"bytes"
	"context"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/filter"
)

// runPerl sends input to testdata/crosscheck.pl in the given mode and
// returns its answer. The test is skipped when Perl or POE is missing.
func runPerl(t *testing.T, mode string, input []byte) []byte {
	t.Helper()
	requirePerl(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "perl", "testdata/crosscheck.pl", mode)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("perl %s: %v\n%s", mode, err, stderr.Bytes())
	}
	return out
}

// TestPerlCrossCheckLine frames lines with Go's Line, has POE::Filter::Line
// read them and answer through its own put, and reads the answer with
// Go's Line: both directions of the line framing against real POE.
func TestPerlCrossCheckLine(t *testing.T) {
	lines := []any{"hello", "", "with space", "tab\there", "caf\xc3\xa9", "x" + string(bytes.Repeat([]byte("y"), 5000))}
	wire, err := filter.NewLine().Put(nil, lines...)
	if err != nil {
		t.Fatal(err)
	}
	answer := runPerl(t, "line", wire)
	got, err := filter.NewLine().Get(answer)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]any, len(lines))
	for i, l := range lines {
		want[i] = "perl:" + l.(string)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestPerlCrossCheckReference frames Storable records with Go's Reference,
// has POE::Filter::Reference (Storable) thaw them and answer with frames of
// its own wrapping what it read, and thaws the answer with Go's Reference,
// plain and compressed.
func TestPerlCrossCheckReference(t *testing.T) {
	records := []any{
		map[string]any{"a": int64(1)},
		[]any{int64(1), "two", 3.5, nil},
		map[string]any{"nested": map[string]any{"list": []any{"x", int64(-7)}}, "empty": ""},
		[]any{string(bytes.Repeat([]byte("z"), 70000))},
	}
	for _, c := range []struct {
		mode     string
		compress bool
	}{{"reference", false}, {"reference-z", true}} {
		t.Run(c.mode, func(t *testing.T) {
			f := filter.NewReference(filter.ReferenceOptions{Compression: c.compress})
			wire, err := f.Put(nil, records...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Clone().Get(runPerl(t, c.mode, wire))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(records) {
				t.Fatalf("got %d answers for %d records: %#v", len(got), len(records), got)
			}
			for i, rec := range records {
				want := map[string]any{"got": rec, "n": int64(i)}
				if i == 1 {
					// nfreeze writes a Perl NV as its decimal string, so
					// 3.5 comes back from Perl as "3.5".
					want["got"] = []any{int64(1), "two", "3.5", nil}
				}
				if !reflect.DeepEqual(got[i], want) {
					t.Fatalf("answer %d: got %#v\nwant %#v", i, got[i], want)
				}
			}
		})
	}
}
