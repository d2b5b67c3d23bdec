package kernel

// itemKind says how a queued item is dispatched.
type itemKind uint8

const (
	kindEvent  itemKind = iota // a post, yield, alarm or delay: call dest's state
	kindSignal                 // a signal: state holds the signal name
	kindGC                     // POE's internal _garbage_collect: only a GC mark
	kindFunc                   // an internal function to run on the loop
	kindDead                   // a tombstone left by a stopped session
)

const inlineArgs = 4

// qitem is one entry of POE's event queue. Posts live by value in a FIFO
// ring; alarms and delays are pointers in a heap ordered by (prio, id).
type qitem struct {
	prio        int64 // due time, ns since the kernel's start
	id          int64 // POE's queue ID: the order among equal prios
	kind        itemKind
	dest        *Session
	sender      *Session
	state       string
	callerState string
	callerFile  string
	callerLine  int
	fn          func()
	argn        int
	argv        [inlineArgs]any
	extra       []any // the arguments when there are more than inlineArgs
	hidx        int   // index in the timer heap, -1 when not there
	alarmID     int64 // the ID AlarmSet or DelaySet handed out (its timerByID key), else 0
}

func (it *qitem) setArgs(args []any) {
	it.argn = len(args)
	if len(args) <= inlineArgs {
		// Element by element, as Event.setArgs: cheaper than the
		// runtime's bulk copy for the few arguments events carry.
		for i, a := range args {
			it.argv[i] = a
		}
		it.extra = nil
		return
	}
	it.extra = append([]any(nil), args...)
}

// args returns the arguments; the slice aliases the item.
func (it *qitem) args() []any {
	if it.extra != nil {
		return it.extra
	}
	return it.argv[:it.argn]
}

// release drops the references a ring slot holds, cheaper than zeroing it.
func (it *qitem) release() {
	clear(it.argv[:min(it.argn, inlineArgs)])
	it.dest, it.sender, it.fn, it.extra = nil, nil, nil, nil
	it.state, it.callerState, it.callerFile = "", "", ""
}

func (it *qitem) clearRefs() {
	*it = qitem{hidx: -1}
}

// ring is the FIFO of events due "now": POE gives each post a strictly
// increasing priority, so posts never need a heap.
type ring struct {
	buf  []qitem
	head int
	n    int
}

func (r *ring) push(it *qitem) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = *it
	r.n++
}

// alloc returns the next free slot, at the tail, for the caller to fill
// in place. A slot that was popped holds no references (release) but may
// hold old plain fields: the caller sets every field.
func (r *ring) alloc() *qitem {
	if r.n == len(r.buf) {
		r.grow()
	}
	it := &r.buf[(r.head+r.n)&(len(r.buf)-1)]
	r.n++
	return it
}

func (r *ring) grow() {
	size := len(r.buf) * 2
	if size == 0 {
		size = 64
	}
	nb := make([]qitem, size)
	for i := 0; i < r.n; i++ {
		nb[i] = r.buf[(r.head+i)&(len(r.buf)-1)]
	}
	r.buf, r.head = nb, 0
}

// peek returns the head item, or nil.
func (r *ring) peek() *qitem {
	if r.n == 0 {
		return nil
	}
	return &r.buf[r.head]
}

// pop moves the head item into dst.
func (r *ring) pop(dst *qitem) {
	slot := &r.buf[r.head]
	*dst = *slot
	slot.release()
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
}

// drop releases the head item and moves past it.
func (r *ring) drop() {
	r.buf[r.head].release()
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
}

// each calls fn for every live item, in order.
func (r *ring) each(fn func(*qitem)) {
	for i := 0; i < r.n; i++ {
		fn(&r.buf[(r.head+i)&(len(r.buf)-1)])
	}
}

// timerHeap is a 4-ary min-heap of alarms ordered by (prio, id): half the
// depth of a binary heap, with each node's children side by side. The
// priorities sit in the heap's own array, so sifting compares neighbouring
// memory instead of chasing a pointer per level; only equal priorities
// read the items' IDs. A slot is 16 bytes, so a node's four children fill
// one 64-byte cache line.
type timerHeap []heapSlot

const heapArity = 4

type heapSlot struct {
	prio int64
	it   *qitem
}

// keyLess is the queue's order: by priority, then by queue ID.
func keyLess(aPrio, aID, bPrio, bID int64) bool {
	return aPrio < bPrio || (aPrio == bPrio && aID < bID)
}

func less(a, b *qitem) bool { return keyLess(a.prio, a.id, b.prio, b.id) }

func (a *heapSlot) before(b *heapSlot) bool {
	return a.prio < b.prio || (a.prio == b.prio && a.it.id < b.it.id)
}

// heapRoot is the root's index: three unused slots before it put every
// node's children at a multiple of four slots, so that each group of
// children sits in one cache line (a large heap's array starts on a page).
// The children of i are at 4i-8 to 4i-5, and its parent at i/4+2.
const heapRoot = 3

// size is the number of items in the heap.
func (h timerHeap) size() int { return max(len(h)-heapRoot, 0) }

func (h *timerHeap) push(it *qitem) {
	if len(*h) == 0 {
		*h = append(*h, make([]heapSlot, heapRoot)...)
	}
	it.hidx = len(*h)
	*h = append(*h, heapSlot{it.prio, it})
	h.up(it.hidx)
}

func (h timerHeap) peek() *qitem {
	if len(h) <= heapRoot {
		return nil
	}
	return h[heapRoot].it
}

func (h *timerHeap) remove(i int) *qitem {
	if i == heapRoot {
		return h.popRoot()
	}
	old := *h
	n := len(old) - 1
	it := old[i].it
	if i != n {
		old[i] = old[n]
		old[i].it.hidx = i
	}
	old[n] = heapSlot{}
	*h = old[:n]
	if i != n {
		if !h.down(i) {
			h.up(i)
		}
	}
	it.hidx = -1
	return it
}

// popRoot removes the first item, as Floyd's heapsort does: the hole
// left at the root goes down to a leaf along the smaller children, three
// comparisons a level where a sift of the last item needs four, and the
// last item, put in the hole, goes up the little way it usually has to.
func (h *timerHeap) popRoot() *qitem {
	old := *h
	n := len(old) - 1
	it := old[heapRoot].it
	last := old[n]
	old[n] = heapSlot{}
	hp := old[:n]
	*h = hp
	it.hidx = -1
	if n == heapRoot {
		return it
	}
	i := heapRoot
	for m := hp.minChild(i); m >= 0; m = hp.minChild(i) {
		hp[i] = hp[m]
		hp[i].it.hidx = i
		i = m
	}
	hp[i] = last
	last.it.hidx = i
	hp.up(i)
	return it
}

// fix restores heap order after the item at i changed priority.
func (h timerHeap) fix(i int) {
	h[i].prio = h[i].it.prio
	if !h.down(i) {
		h.up(i)
	}
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].it.hidx, h[j].it.hidx = i, j
}

func (h timerHeap) up(i int) {
	for i > heapRoot {
		p := i/heapArity + 2
		if !h[i].before(&h[p]) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h timerHeap) down(i int) bool {
	start := i
	for m := h.minChild(i); m >= 0 && h[m].before(&h[i]); m = h.minChild(i) {
		h.swap(i, m)
		i = m
	}
	return i > start
}

// minChild returns the index of i's first child in heap order, or -1
// when i has none.
func (h timerHeap) minChild(i int) int {
	c := heapArity*i - 8
	if c >= len(h) {
		return -1
	}
	m := c
	for j := c + 1; j < min(c+heapArity, len(h)); j++ {
		if h[j].before(&h[m]) {
			m = j
		}
	}
	return m
}
