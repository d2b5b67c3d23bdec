package perlval

import "testing"

// TestSeen checks the table on both sides of its list's limit: every
// identity added is found with what was noted, a change through Find
// stays, and Reset forgets all.
func TestSeen(t *testing.T) {
	type key struct{ p, n int }
	var s Seen[key, int]
	const n = 3 * seenListMax
	for i := range n {
		if s.Find(key{i, 1}) != nil {
			t.Fatalf("key %d found before it was added", i)
		}
		s.Add(key{i, 1}, -1)
		if v := s.Find(key{i, 1}); v == nil || *v != -1 {
			t.Fatalf("key %d just added: Find = %v", i, v)
		}
		*s.Find(key{i, 1}) = i
		for j := range i + 1 {
			if v := s.Find(key{j, 1}); v == nil || *v != j {
				t.Fatalf("after %d keys, key %d: Find = %v, want %d", i+1, j, v, j)
			}
		}
		if s.Find(key{i, 2}) != nil {
			t.Fatalf("key {%d 2} was never added but is found", i)
		}
	}
	s.Reset()
	if s.Find(key{0, 1}) != nil || s.Find(key{n - 1, 1}) != nil {
		t.Fatal("Reset kept keys")
	}
	s.Add(key{5, 1}, 7)
	if v := s.Find(key{5, 1}); v == nil || *v != 7 {
		t.Fatalf("after Reset, Find = %v, want 7", v)
	}
}

func TestMapAddr(t *testing.T) {
	m := map[string]any{}
	alias := m
	if MapAddr(m) == 0 || MapAddr(m) != MapAddr(alias) {
		t.Fatal("a map and its copy have different addresses")
	}
	if MapAddr(m) == MapAddr(map[string]any{}) {
		t.Fatal("two maps share an address")
	}
	if MapAddr(nil) != 0 {
		t.Fatal("a nil map has an address")
	}
}
