package kernel

import (
	"strings"
	"testing"
)

// TestStateLookupRecent checks the session's memory of recent states: a
// session going round more states than it remembers still reaches each
// one, and a state replaced or removed with State is never served from
// that memory. The names yielded are the table's own strings, as a
// wheel's are, so that the memory is used.
func TestStateLookupRecent(t *testing.T) {
	k := MustNew()
	defer k.Close()
	names := []string{"a", "b", "c", "d", "e"}
	order := []int{0, 1, 2, 3, 4, 0, 2, 4, 1, 3, 0, 3, 1, 0}
	var got []string
	i := 0
	step := func(e *Event) any {
		got = append(got, e.State)
		if i++; i < len(order) {
			e.Kernel.Yield(names[order[i]])
			return nil
		}
		// Replace "b" and remove "c" while both are remembered.
		e.Kernel.State(names[1], func(e *Event) any { got = append(got, "new b"); return nil })
		e.Kernel.State(names[2], nil)
		e.Kernel.Yield(names[1])
		e.Kernel.Yield(names[2])
		return nil
	}
	states := States{
		"_start": func(e *Event) any { e.Kernel.Yield(names[order[0]]); return nil },
		"_default": func(e *Event) any {
			if name := e.ArgString(0); !strings.HasPrefix(name, "_") {
				got = append(got, "default "+name)
			}
			return nil
		},
	}
	for _, name := range names {
		states[name] = step
	}
	k.Create(Session{States: states})
	if err := k.Run(); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range order {
		want = append(want, names[o])
	}
	want = append(want, "new b", "default c")
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("dispatched %v, want %v", got, want)
	}
}

// TestStateLookupRecentByValue checks that a state name spelt by another
// string than the table's (as names decoded from messages are) is found
// among the recent states, not remembered a second time.
func TestStateLookupRecentByValue(t *testing.T) {
	k := MustNew()
	defer k.Close()
	var s *Session
	left := 8
	h := func(e *Event) any {
		if left--; left > 0 {
			// a, b, a, b, ... each time a fresh copy of the name.
			e.Kernel.Yield(strings.Clone(map[string]string{"a": "b", "b": "a"}[e.State]))
		}
		return nil
	}
	s = k.Create(Session{States: States{"_start": func(e *Event) any { e.Kernel.Yield("a"); return nil }, "a": h, "b": h}})
	if err := k.Run(); err != nil {
		t.Fatal(err)
	}
	seen := map[*stateEntry]bool{}
	for _, r := range append([]*stateEntry{s.lastEntry}, s.recent[:]...) {
		if r != nil && seen[r] {
			t.Errorf("state %q remembered twice: last %v, recent %v", r.name, s.lastEntry.name, s.recent)
		}
		seen[r] = true
	}
}
