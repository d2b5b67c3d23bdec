package perlval

import "unsafe"

// Seen is the table of the references an encoder has written, as Perl's
// freezers keep one to write a reference met again as a back-reference:
// each reference's identity K with what the encoder notes of it, V
// (Storable's tag, FreezeThaw's place in its shared table). The zero
// value is empty and ready for use.
type Seen[K comparable, V any] struct {
	list  []seenEntry[K, V]
	index map[K]int // positions in list, once it is past seenListMax
}

type seenEntry[K comparable, V any] struct {
	key K
	val V
}

// seenListMax is how many references Seen looks up in its list before it
// indexes them in a map: an IKC record holds a handful.
const seenListMax = 32

// Find returns what is noted for k, to read or change until the next
// Add, or nil when k is not in the table.
func (s *Seen[K, V]) Find(k K) *V {
	if s.index != nil {
		if i, ok := s.index[k]; ok {
			return &s.list[i].val
		}
		return nil
	}
	for i := range s.list {
		if s.list[i].key == k {
			return &s.list[i].val
		}
	}
	return nil
}

// Add notes v for k, which is not in the table yet.
func (s *Seen[K, V]) Add(k K, v V) {
	s.list = append(s.list, seenEntry[K, V]{k, v})
	switch {
	case s.index != nil:
		s.index[k] = len(s.list) - 1
	case len(s.list) > seenListMax:
		s.index = make(map[K]int, 2*len(s.list))
		for i := range s.list {
			s.index[s.list[i].key] = i
		}
	}
}

// Reset empties the table, keeping its list's memory for the next image.
func (s *Seen[K, V]) Reset() {
	clear(s.list)
	s.list = s.list[:0]
	s.index = nil
}

// MapAddr is the address of m's hash table: its identity as a Perl hash,
// the same for every copy of m.
func MapAddr(m map[string]any) uintptr {
	return uintptr(*(*unsafe.Pointer)(unsafe.Pointer(&m)))
}
