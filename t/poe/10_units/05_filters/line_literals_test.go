package filters_test

import (
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// TestLineOddLiterals holds 04_line.t's literal terminators at their
// oddest: regexp metacharacters, which POE quotes, and terminators that
// overlap themselves, so that a partial match at the end of one read must
// be looked at again with the next. Each literal splits the same input
// into the same lines however the input is cut, and put ends a record
// with it. The lines were taken from Perl POE 1.370's
// POE::Filter::Line->new(Literal => ...)->get, in one piece and one octet
// at a time.
func TestLineOddLiterals(t *testing.T) {
	cases := []struct {
		name, literal, in string
		want              []any
	}{
		{"a terminator that overlaps itself", "aab", "xaaabaabyaab", records("xa", "", "y")},
		{"a doubled bar", "||", "a|||b||||c||", records("a", "|b", "", "c")},
		{"a dot, which matches anything in a regexp", ".", "a.b..c.", records("a", "b", "", "c")},
		{"a backslash", `\`, `a\\b\`, records("a", "", "b")},
		{"an empty line after headers", "\r\n\r\n", "h1\r\nh2\r\n\r\nbody\r\n\r\n\r\n\r\n", records("h1\r\nh2", "body", "")},
		{"regexp quantifiers", "*+", "a*+*+b**+", records("a", "", "b*")},
		{"a dollar and a digit", "$1", "a$1$$1", records("a", "$")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mk := func() filter.Filter { return filter.NewLine(filter.LineOptions{Literal: c.literal}) }
			checkSplits(t, mk, []byte(c.in), c.want)
			if put, _ := mk().Put(nil, "x"); string(put) != "x"+c.literal {
				t.Fatalf("put %q", put)
			}
		})
	}
}
