package filter

// queue is the input of a record filter: records queue[head:] are waiting.
type queue struct {
	q    []any
	head int
}

func (q *queue) push(recs ...any) {
	if q.head > 0 && q.head == len(q.q) {
		clear(q.q)
		q.q, q.head = q.q[:0], 0
	}
	q.q = append(q.q, recs...)
}

func (q *queue) pop() (any, bool) {
	if q.head == len(q.q) {
		return nil, false
	}
	r := q.q[q.head]
	q.q[q.head] = nil
	q.head++
	return r, true
}

// unpop puts back r, the record pop returned last.
func (q *queue) unpop(r any) {
	q.head--
	q.q[q.head] = r
}

func (q *queue) len() int { return len(q.q) - q.head }

func (q *queue) pending() []any {
	if q.len() == 0 {
		return nil
	}
	return append([]any(nil), q.q[q.head:]...)
}

// pendingOctets is GetPending for a record filter: the queued string and
// []byte records concatenated; other records have no octet form and are
// only reported by PendingRecords.
func (q *queue) pendingOctets() []byte {
	var out []byte
	for _, r := range q.q[q.head:] {
		if b, ok := octets(r); ok {
			out = append(out, b...)
		}
	}
	return out
}

// startOctets queues a chunk of raw input as one []byte record.
func (q *queue) startOctets(data []byte) {
	q.push(append([]byte(nil), data...))
}
