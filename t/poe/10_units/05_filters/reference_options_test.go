package filters_test

import (
	"errors"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// TestReferenceOptions holds what POE::Filter::Reference->new accepts and
// refuses, with the Go port's MaxFrame beside POE's MaxBuffer. Taken from
// Perl POE 1.370: new(MaxBuffer => 1024) makes a filter, and new(MaxBuffer
// => -1) croaks "MaxBuffer must be a number". MaxFrame is the Go port's
// own, so only an explicit MaxFrame can clash with MaxBuffer: a small
// MaxBuffer alone lowers the frame limit with it.
func TestReferenceOptions(t *testing.T) {
	cases := []struct {
		name string
		o    filter.ReferenceOptions
		ok   bool
		why  string // the refusal's detail
	}{
		{"the defaults are accepted", filter.ReferenceOptions{}, true, ""},
		{"a MaxBuffer below the default frame limit is accepted, as POE accepts it", filter.ReferenceOptions{MaxBuffer: 1024}, true, ""},
		{"a MaxFrame up to MaxBuffer is accepted", filter.ReferenceOptions{MaxBuffer: 1024, MaxFrame: 1024}, true, ""},
		{"a MaxFrame above the default MaxBuffer is refused", filter.ReferenceOptions{MaxFrame: filter.DefaultMaxBuffer + 1}, false, "MaxBuffer is not large enough for MaxFrame frames"},
		{"a MaxFrame above MaxBuffer is refused", filter.ReferenceOptions{MaxBuffer: 1024, MaxFrame: 1025}, false, "MaxBuffer is not large enough for MaxFrame frames"},
		{"a negative MaxBuffer is refused", filter.ReferenceOptions{MaxBuffer: -1}, false, "MaxBuffer must be greater than 0"},
		{"a negative MaxFrame is refused", filter.ReferenceOptions{MaxFrame: -1}, false, "MaxFrame must be greater than 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.o.Validate()
			if c.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				filter.NewReference(c.o)
				return
			}
			var fe *filter.Error
			if !errors.As(err, &fe) || fe.Filter != "Reference" || fe.Detail != c.why {
				t.Fatalf("err %v, want a Reference *filter.Error saying %q", err, c.why)
			}
			mustPanic(t, func() { filter.NewReference(c.o) })
		})
	}
	t.Run("a small MaxBuffer alone bounds the frames too", func(t *testing.T) {
		f := newRef(filter.ReferenceOptions{MaxBuffer: 16})
		recs, errs := getAll(f, []byte("999\x003\x00\"a\""))
		if len(errs) != 1 || !errors.Is(errs[0], filter.ErrFrameSize) || len(recs) != 0 {
			t.Fatalf("recs %v errs %v", recs, errs)
		}
		if errs[0].Error() != "filter.Reference: next frame exceeds the limit (999 > 16; frame discarded)" {
			t.Fatalf("message %q", errs[0])
		}
	})
}
