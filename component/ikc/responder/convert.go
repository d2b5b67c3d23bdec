package responder

import (
	"fmt"
	"sort"

	"github.com/poe-go/poe/component/ikc/specifier"
)

// The IKC session's states take Go values where Perl passes references:
// an array ref is a []string or a []any, a hash ref a map[string]string or
// a map[string]any. These helpers accept both typed and generic forms.

// stringList reads a list of names: nil, a string (one name), []string, or
// []any of scalars. ok is false for anything else.
func stringList(v any) (list []string, ok bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return []string{x}, true
	case []string:
		return append([]string(nil), x...), true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := specifier.Scalar(e)
			if err != nil {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// eventMap reads a monitor's {event => state, ..., data => x} hash. The
// "data" key of a map[string]any may hold any value. A plain scalar is no
// events: Perl's monitor stops watching unless ARG1 is a non-empty hash.
func eventMap(v any) (events map[string]string, data any, ok bool) {
	if _, err := specifier.Scalar(v); err == nil {
		return nil, nil, true
	}
	switch x := v.(type) {
	case nil:
		return nil, nil, true
	case map[string]string:
		events = make(map[string]string, len(x))
		for k, s := range x {
			if k == "data" {
				data = s
				continue
			}
			events[k] = s
		}
		return events, data, true
	case map[string]any:
		events = make(map[string]string, len(x))
		for k, e := range x {
			if k == "data" {
				data = e
				continue
			}
			s, err := specifier.Scalar(e)
			if err != nil {
				return nil, nil, false
			}
			events[k] = s
		}
		return events, data, true
	}
	return nil, nil, false
}

// scalarString is a plain scalar as Perl sees it, or "" for anything else.
func scalarString(v any) string {
	s, _ := specifier.Scalar(v)
	return s
}

// describe names a value's type for warnings.
func describe(v any) string {
	if v == nil {
		return "undef"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
