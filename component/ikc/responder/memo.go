package responder

// memo remembers the last key a look-up found and what it found for it.
// The responder's look-ups come in runs of one key (the records of one
// channel, the calls to one kernel), and a hit costs one comparison where
// the tables it stands in front of cost a map look-up.
type memo[K comparable, V any] struct {
	key K
	val V
	ok  bool
}

// get returns the value remembered for k, reporting false when k is not
// the key remembered.
func (m *memo[K, V]) get(k K) (V, bool) {
	if m.ok && k == m.key {
		return m.val, true
	}
	var zero V
	return zero, false
}

// remember makes v the value found for k.
func (m *memo[K, V]) remember(k K, v V) { m.key, m.val, m.ok = k, v, true }

// forget drops what m remembers; every change to the table it stands in
// front of calls it.
func (m *memo[K, V]) forget() { *m = memo[K, V]{} }
