package kernel

// timerQueue holds the alarms and delays in (prio, id) order. Most
// programs set timers in the order they fall due (zero delays, a session
// re-arming the same delay), so beside the heap it keeps a run: items that
// arrived after the run's last one are appended to it and taken from its
// front, both O(1), where the heap pays a sift per item. An item that
// would break the run's order goes to the heap, and the next due item is
// the earlier of the two fronts.
//
// An item's hidx says where it is: 0 and up, its index in the heap; -1,
// nowhere; -2 and below, -2 minus its absolute position in the run (the
// position counted from the run's creation, which stays valid when the
// run's consumed front is cut off).
type timerQueue struct {
	heap             timerHeap
	run              []*qitem // in order; nil where an item was removed
	head             int      // index in run of the first live item, or len(run)
	off              int      // absolute position of run[0]
	live             int      // live items in run
	tailPrio, tailID int64    // key of the last item appended to the run
}

func runIndex(abs int) int { return -2 - abs }

// len is the number of alarms and delays queued.
func (q *timerQueue) len() int { return q.heap.size() + q.live }

func (q *timerQueue) push(t *qitem) {
	if q.live == 0 || !keyLess(t.prio, t.id, q.tailPrio, q.tailID) {
		if q.live == 0 {
			q.reset()
		}
		t.hidx = runIndex(q.off + len(q.run))
		q.run = append(q.run, t)
		q.live++
		q.tailPrio, q.tailID = t.prio, t.id
		return
	}
	q.heap.push(t)
}

// peek returns the next due item, or nil.
func (q *timerQueue) peek() *qitem {
	h := q.heap.peek()
	if q.live == 0 {
		return h
	}
	r := q.run[q.head]
	if h != nil && less(h, r) {
		return h
	}
	return r
}

// remove takes t out of the queue.
func (q *timerQueue) remove(t *qitem) {
	if t.hidx >= 0 {
		q.heap.remove(t.hidx)
		return
	}
	i := runIndex(t.hidx) - q.off // runIndex is its own inverse
	q.run[i] = nil
	q.live--
	t.hidx = -1
	if i == q.head {
		q.advance()
	}
}

// fix puts t back in order after its prio changed.
func (q *timerQueue) fix(t *qitem) {
	if t.hidx >= 0 {
		q.heap.fix(t.hidx)
		return
	}
	q.remove(t)
	q.heap.push(t)
}

// each calls fn for every queued item, in no particular order.
func (q *timerQueue) each(fn func(*qitem)) {
	if q.heap.size() > 0 {
		for _, sl := range q.heap[heapRoot:] {
			fn(sl.it)
		}
	}
	for _, t := range q.run[q.head:] {
		if t != nil {
			fn(t)
		}
	}
}

// advance moves head past removed items, and trims the run when its
// consumed front outgrows what remains.
func (q *timerQueue) advance() {
	for q.head < len(q.run) && q.run[q.head] == nil {
		q.head++
	}
	if q.live == 0 {
		q.reset()
		return
	}
	if q.head >= 256 && q.head*2 >= len(q.run) {
		n := copy(q.run, q.run[q.head:])
		clear(q.run[n:])
		q.off += q.head
		q.run = q.run[:n]
		q.head = 0
	}
}

// reset empties the run, keeping its array.
func (q *timerQueue) reset() {
	clear(q.run[q.head:])
	q.off += len(q.run)
	q.run = q.run[:0]
	q.head = 0
}
