package kernel

import (
	"cmp"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

const (
	esrch  = syscall.ESRCH
	eperm  = syscall.EPERM
	eexist = syscall.EEXIST
	einval = syscall.EINVAL
)

// stateEntry is one bound state. It is immutable, so the loop can publish
// the running one for posts to take their SENDER from.
type stateEntry struct {
	s    *Session
	name string
	h    Handler
}

// Post is POE's post: it queues state for dest (a *Session, a session ID,
// an alias, or the kernel) with SENDER the active session, and returns
// an error with ESRCH when dest does not resolve. Post is safe from any
// goroutine and wakes the loop at once; from outside a handler the SENDER
// is the kernel's session.
func (k *Kernel) Post(dest any, state string, args ...any) error {
	return k.postItem(dest, kindEvent, state, args, nil)
}

func (k *Kernel) postItem(dest any, kind itemKind, state string, args []any, fn func()) error {
	var file string
	var line int
	if k.callerInfo && kind != kindFunc {
		file, line = callerPos()
	}
	prio := k.postPrio()
	if k.onLoop() {
		// The loop's own posts skip the lock: straight into the ring.
		s := k.resolve(dest)
		if s == nil {
			return kerr(kindOp(kind), dest, esrch)
		}
		sender, callerState := k.origin()
		if it := k.enqueuePost(kind, s, sender, state, callerState, args); it != nil {
			it.fn, it.callerFile, it.callerLine = fn, file, line
		}
		return nil
	}
	// Another goroutine, or before Run: through the inbox, from the kernel.
	sender, callerState := k.self, ""
	k.mu.Lock()
	s := k.resolveLocked(dest)
	if s == nil {
		k.mu.Unlock()
		return kerr(kindOp(kind), dest, esrch)
	}
	if len(k.inbox) == cap(k.inbox) {
		k.inbox = append(k.inbox, qitem{})[:len(k.inbox)]
	}
	k.inbox = k.inbox[:len(k.inbox)+1]
	it := &k.inbox[len(k.inbox)-1]
	it.prio, it.kind, it.dest, it.sender, it.state, it.callerState, it.fn, it.hidx = prio, kind, s, sender, state, callerState, fn, -1
	it.callerFile, it.callerLine = file, line
	it.setArgs(args)
	k.inboxN.Add(1)
	k.mu.Unlock()
	if k.sleeping.Load() && k.sleeping.CompareAndSwap(true, false) {
		k.poller.wake()
	}
	return nil
}

func kindOp(kind itemKind) string {
	if kind == kindSignal {
		return "signal"
	}
	return "post"
}

// Yield is POE's yield: it queues state for the active session itself.
func (k *Kernel) Yield(state string, args ...any) {
	k.loopOnly("Yield")
	cur := k.cur
	if cur == nil {
		panic("kernel: Yield called outside a handler")
	}
	k.drainInbox() // keeps FIFO order with this handler's earlier Posts
	it := k.enqueuePost(kindEvent, cur.s, cur.s, state, k.eventOf(cur), args)
	if it != nil && k.callerInfo {
		it.callerFile, it.callerLine = callerPos()
	}
}

// Call is POE's call: it runs dest's handler for state now, nested, and
// returns the handler's value. A call to the active session itself runs
// the handler directly (a panic there propagates to the caller); a call to
// another session is caught there and becomes a DIE signal, and Call
// returns nil. A call to the kernel's own session returns 0, as POE's
// does. The error is ESRCH when dest does not resolve.
func (k *Kernel) Call(dest any, state string, args ...any) (any, error) {
	// The common call, from a handler to another live session's last
	// state, is dispatched here, written out: a single exit to call for
	// everything else keeps the hot path free of the register spills that
	// the rarer paths' calls would force on it (Call 2% faster). That
	// includes more arguments than a frame holds, which setArgs could
	// take, but its copy to the heap is such a call (8% slower).
	s, _ := dest.(*Session)
	d, cur := k.depth, k.cur
	if k.inHandler == 0 || cur == nil || s == nil || s.live != k || s == cur.s ||
		s.trace || k.callerInfo || len(args) > len(Event{}.argv) || d >= len(k.evpool) {
		return k.call(dest, state, args)
	}
	entry := s.lastState(state)
	if entry == nil {
		return k.call(dest, state, args)
	}
	e := k.evpool[d]
	e.setSender(cur.s, k.eventOf(cur))
	prevRedirect := k.redirect
	if prevRedirect != "" {
		k.redirect = "" // the callee handles its own state
	}
	e.setArgs(args)
	e.setTarget(s, entry.name)
	k.depth++
	k.cur = entry
	// A handler runs already, so inHandler stays as it is.
	defer k.guard(e, d, cur, prevRedirect, k.inHandler)()
	ret := entry.h(e)
	k.cur = cur
	if prevRedirect != "" {
		k.redirect = prevRedirect
	}
	k.depth--
	e.clearArgs()
	return ret, nil
}

// call is Call for every call that Call does not dispatch itself: from
// outside a handler, by name or ID, to the active session itself, to a
// state not the session's last, with caller positions recorded.
func (k *Kernel) call(dest any, state string, args []any) (any, error) {
	k.loopOnly("Call")
	// A call to the running handler's own session, as a wheel makes to
	// its owner for each record, to the state it ran last, opens no
	// dispatch: it goes straight to invokeDirect, and its destination
	// and origin are known without resolve and origin.
	cur := k.cur
	s, _ := dest.(*Session)
	var self *stateEntry
	if cur != nil && s == cur.s && s.live == k && !s.trace {
		self = s.lastState(state)
	}
	var sender *Session
	var callerState string
	if self != nil {
		sender, callerState = s, k.eventOf(cur)
	} else {
		if s = k.resolve(dest); s == nil {
			return nil, kerr("call", dest, esrch)
		}
		sender, callerState = k.origin()
	}
	e := k.frame()
	e.setSender(sender, callerState)
	if k.callerInfo { // setCaller's test, before the stack walk
		e.CallerFile, e.CallerLine = callerPos()
	}
	e.setArgs(args)
	if self != nil {
		e.setTarget(s, self.name)
		return k.invokeDirect(self, e), nil
	}
	return k.deliver(s, state, e, sender == s), nil
}

// State is POE's state(): it adds, replaces (h non-nil) or removes (h nil)
// a state of the active session at run time. Wheels use it for their
// private states.
func (k *Kernel) State(name string, h Handler) error {
	k.loopOnly("State")
	cur := k.cur
	if cur == nil {
		return kerr("state", name, esrch)
	}
	cur.s.setState(name, h)
	return nil
}

func (s *Session) setState(name string, h Handler) {
	s.lastEntry, s.recent = nil, [len(s.recent)]*stateEntry{}
	if h == nil {
		delete(s.table, name)
		return
	}
	if s.table == nil {
		s.table = map[string]*stateEntry{}
	}
	s.table[name] = &stateEntry{s: s, name: name, h: h}
}

// callerPos finds the user's call site: the first frame outside this
// package, so that calls made through the kernel's own helpers (Alarm
// through setAlarm, a Postback through Post) still name the user's line.
func callerPos() (string, int) {
	var pcs [16]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, pkgPrefix) {
			return f.File, f.Line
		}
		if !more {
			return "", 0
		}
	}
}

// pkgPrefix begins the name of every function of this package; a test
// package's functions continue with "_test." instead and count as users.
var pkgPrefix = reflect.TypeOf((*Kernel)(nil)).Elem().PkgPath() + "."

// enqueue puts a post into the ring with POE's strictly increasing
// priority and counts it for its sessions.
func (k *Kernel) enqueue(it *qitem) {
	if it.dest.stopped || it.sender.stopped {
		return
	}
	it.prio, it.id = k.postKey(it.prio)
	k.count(it)
	k.ring.push(it)
}

// postKey returns the priority and queue ID of the next post, due at
// prio: POE's priorities of posts strictly increase.
func (k *Kernel) postKey(prio int64) (int64, int64) {
	if prio <= k.lastPrio {
		prio = k.lastPrio + 1
	}
	k.lastPrio = prio
	k.nextID++
	return prio, k.nextID
}

// enqueuePost is enqueue for the loop's own posts: the item is written
// straight into its ring slot instead of being built and copied. It
// returns nil when either session has stopped (the post is dropped, as
// enqueue drops it).
func (k *Kernel) enqueuePost(kind itemKind, dest, sender *Session, state, callerState string, args []any) *qitem {
	if dest.stopped || sender.stopped {
		return nil
	}
	it := k.ring.alloc()
	it.prio, it.id = k.postKey(k.postPrio())
	it.kind, it.dest, it.sender, it.state, it.callerState = kind, dest, sender, state, callerState
	it.callerLine, it.hidx, it.alarmID = 0, -1, 0
	it.setArgs(args)
	k.count(it)
	return it
}

// enqueueInternal queues one of the kernel's own items for s, sent by the
// kernel: a collection mark (kindGC), or fn to run on the loop (kindFunc).
func (k *Kernel) enqueueInternal(s *Session, kind itemKind, fn func()) {
	var it qitem
	it.prio, it.kind, it.dest, it.sender, it.fn, it.hidx = k.postPrio(), kind, s, k.self, fn, -1
	k.enqueue(&it)
}

func (k *Kernel) count(it *qitem) {
	it.dest.eventsTo++
	if it.sender != it.dest && !it.sender.kernelSelf {
		it.sender.eventsFrom++
	}
	if keepsBusy(it) {
		k.pending++
	}
}

// keepsBusy reports whether a queued item keeps the kernel from being
// idle: every item but the IDLE and ZOMBIE signals the idle check sends
// itself, as POE counts its whole queue against the events it keeps there
// for its own polling. A session's pending _garbage_collect counts: what
// its collection sets off (a _stop that creates a session, say) happens
// before IDLE is considered.
func keepsBusy(it *qitem) bool {
	return it.kind != kindSignal || !it.sender.kernelSelf || (it.state != "IDLE" && it.state != "ZOMBIE")
}

// uncountQuiet is uncount without the garbage-collection marks: for an
// event about to be dispatched, settle marks after its handler instead.
func (k *Kernel) uncountQuiet(it *qitem) {
	it.dest.eventsTo--
	if it.sender != it.dest && !it.sender.kernelSelf {
		it.sender.eventsFrom--
	}
	if keepsBusy(it) {
		k.pending--
	}
}

// settle marks for the next sweep the sessions of an event just
// dispatched that it may have left without references. Done after the
// handler rather than when the event leaves the queue, a session that
// posts again (a yield loop, a ping-pong) is never marked and swept for
// nothing. The marks still take the moment POE's would have: at, the
// tick eventFrame took for the event's destination as it left the queue
// (at+1 for its sender, which POE counts down second), before anything
// its handler marked. Only the test is inlined into the loop: the event
// a session posts again keeps its counts above zero, and the marks are
// left to settleMarks.
func (k *Kernel) settle(dest, sender *Session, at uint64) {
	if dest.eventsTo|dest.eventsFrom == 0 || sender.eventsTo|sender.eventsFrom == 0 {
		k.settleMarks(dest, sender, at)
	}
}

// settleMarks is settle for an event that left one of its sessions
// without events to or from it.
func (k *Kernel) settleMarks(dest, sender *Session, at uint64) {
	if dest.eventsTo == 0 && dest.eventsFrom == 0 {
		k.markGCAt(dest, at)
	}
	if sender != dest && sender.eventsTo == 0 && sender.eventsFrom == 0 {
		k.markGCAt(sender, at+1)
	}
}

// uncount takes it off the counts of its sessions, marking for the next
// sweep a session it leaves without events to or from it.
func (k *Kernel) uncount(it *qitem) {
	k.uncountQuiet(it)
	if it.dest.eventsTo == 0 {
		k.markGC(it.dest)
	}
	if it.sender != it.dest && !it.sender.kernelSelf && it.sender.eventsFrom == 0 {
		k.markGC(it.sender)
	}
}

// drainInbox moves what other goroutines (and this one) posted into the
// ring. Only the test of the inbox's count is inlined into Yield and the
// loop; moveInbox does the moving.
func (k *Kernel) drainInbox() {
	if k.inboxN.Load() != 0 {
		k.moveInbox()
	}
}

// moveInbox is drainInbox for an inbox that holds posts.
func (k *Kernel) moveInbox() {
	k.mu.Lock()
	items := k.inbox
	k.inbox = k.spare[:0]
	k.inboxN.Store(0)
	k.mu.Unlock()
	for i := range items {
		k.enqueue(&items[i])
		items[i] = qitem{}
	}
	k.spare = items[:0]
}

// dispatchDue is step 5 of POE's timeslice: every event due by now, in
// (priority, id) order. Posts made during the step wait for the next one.
//
// When nothing else could happen before the next step's dispatch (no file
// handles to poll, no garbage to collect, no writes to flush, nothing
// posted from other goroutines, no stop), beginning the next step is
// observably the same as going on with this one, so the loop goes on
// without the rest of a timeslice's bookkeeping.
func (k *Kernel) dispatchDue() {
	k.drainInbox()
	now := k.postPrio()
	if k.timers.len() > 0 {
		now = k.now() // only alarms need the real clock
	}
	limit := k.nextID
	var it qitem
loop:
	for !k.stopReq {
		r := k.ring.peek()
		if r != nil && r.id > limit {
			r = nil
		}
		t := k.timers.peek()
		if t != nil && t.prio > now {
			t = nil
		}
		switch {
		case r == nil && t == nil:
			if !k.quietStep() {
				return
			}
			limit = k.nextID
			if k.timers.len() > 0 {
				now = k.now()
			}
			if k.ring.n == 0 && (k.timers.len() == 0 || k.timers.peek().prio > now) {
				return
			}
			continue
		case t != nil && (r == nil || less(t, r)):
			k.timers.remove(t)
			if t.alarmID != 0 {
				delete(k.timerByID, t.alarmID)
			}
			if t.kind == kindEvent {
				e := k.eventFrame(t)
				dest, sender, state, at := t.dest, t.sender, t.state, k.gcClock-1
				k.freeTimer(t)
				k.deliver(dest, state, e, false)
				k.settle(dest, sender, at)
				if k.exception != nil {
					k.Stop()
					break loop
				}
				continue
			}
			it = *t
			k.freeTimer(t)
		case r.kind == kindEvent:
			// A post is dispatched from its ring slot, freed before the
			// handler runs (which may post into it). This and the timer
			// case above stay two copies: one helper for both, or one
			// merged path, costs the yield loop 3 to 8% here.
			e := k.eventFrame(r)
			dest, sender, state, at := r.dest, r.sender, r.state, k.gcClock-1
			k.ring.drop()
			k.deliver(dest, state, e, false)
			k.settle(dest, sender, at)
			if k.exception != nil {
				k.Stop()
				break loop
			}
			continue
		default:
			k.ring.pop(&it)
			if it.kind == kindDead {
				continue
			}
		}
		k.uncount(&it)
		k.dispatchItem(&it)
		if k.exception != nil {
			k.Stop()
			break
		}
	}
	it = qitem{}
}

// quietStep reports whether the next timeslice would do nothing before
// its dispatch but what it does here: its idle check and its garbage
// collection sweep. That is the condition for dispatchDue to go straight
// on to the next step's events; never inside RunOneTimeslice, which runs
// one step as POE's does.
func (k *Kernel) quietStep() bool {
	if len(k.flushers) != 0 || len(k.fds) != 0 || k.inboxN.Load() != 0 || k.stopReq || k.exception != nil || k.oneStep != 0 {
		return false
	}
	k.gcSweep()
	k.checkIdle()
	return len(k.sessions) > 0 && !k.stopReq
}

// eventFrame takes the event it off the queue's counts (its caller calls
// settle after the handler) and fills the frame of its dispatch from it,
// so that the item itself (a ring slot, a timer) can be freed before the
// handler runs without a copy of the whole item.
func (k *Kernel) eventFrame(it *qitem) *Event {
	k.uncountQuiet(it)
	k.gcClock += 2 // its sessions' moments of marking, for settle: gcClock-1 and gcClock
	e := k.frame()
	e.setSender(it.sender, it.callerState)
	k.setCaller(e, it.callerFile, it.callerLine)
	e.setArgs(it.args())
	return e
}

// setCaller fills a frame's CALLER_FILE and CALLER_LINE. Without caller
// information no position is recorded, and every frame's stay empty:
// nothing is written.
func (k *Kernel) setCaller(e *Event, file string, line int) {
	if k.callerInfo {
		e.CallerFile, e.CallerLine = file, line
	}
}

// dispatchItem dispatches what is not an event (dispatchDue delivers
// events from their queue slot).
func (k *Kernel) dispatchItem(it *qitem) {
	switch it.kind {
	case kindSignal:
		k.dispatchSignal(it)
	case kindGC:
		k.markGC(it.dest)
	case kindFunc:
		k.inHandler++
		it.fn()
		k.inHandler--
	}
}

// dispatch runs s's handler for state, or _default, or reports the event.
// It is the general entry; the hot paths (Call, posts, selects) fill their
// frame themselves and go straight to deliver.
func (k *Kernel) dispatch(s, sender *Session, state string, args []any, callerState, file string, line int, direct bool) any {
	e := k.frame()
	e.setSender(sender, callerState)
	k.setCaller(e, file, line)
	e.setArgs(args)
	return k.deliver(s, state, e, direct)
}

// frame returns the Event of the next dispatch depth, for its caller to
// fill with the SENDER, the caller's position and the arguments before
// deliver, which fills the rest. A frame keeps its session, heap and
// names after its dispatch, since the next dispatch at its depth
// overwrites them; scrubFrames drops them before the loop sleeps.
func (k *Kernel) frame() *Event {
	if d := k.depth; d < len(k.evpool) {
		return k.evpool[d]
	}
	return k.newFrame()
}

// newFrame is frame at a depth never reached before: out of line, so that
// the allocation's registers and spills stay out of the hot callers.
//
//go:noinline
func (k *Kernel) newFrame() *Event {
	e := &Event{Kernel: k}
	k.evpool = append(k.evpool, e)
	return e
}

// deliver runs s's handler for state with the frame e (from frame), or
// _default, or reports the event.
func (k *Kernel) deliver(s *Session, state string, e *Event, direct bool) any {
	if entry := s.lastState(state); entry != nil {
		return k.invoke(entry, "", e, direct)
	}
	return k.deliverLookup(s, state, e, direct)
}

// lastState returns the state the session dispatched last when state is
// that very string (same octets at the same address), else nil: a hit
// costs two comparisons and no call.
func (s *Session) lastState(state string) *stateEntry {
	if entry := s.lastEntry; entry != nil && sameString(entry.name, state) {
		return entry
	}
	return nil
}

// deliverLookup is deliver when state is not, by identity, the session's
// last one: it tries the few states dispatched before it, then the
// session's table, and makes the state found the last one.
func (k *Kernel) deliverLookup(s *Session, state string, e *Event, direct bool) any {
	entry := s.lastEntry
	if entry == nil || entry.name != state {
		if s.kernelSelf {
			// The kernel's session has no states of its own to call;
			// it answers 0, as POE::Kernel's _invoke_state ends.
			e.reset()
			return 0
		}
		entry = s.recentState(state)
		if entry == nil {
			return k.deliverDefault(s, state, e, direct)
		}
	}
	return k.invoke(entry, "", e, direct)
}

// recentState finds state among the states the session dispatched
// lately, else in its table, and makes it the last one. A session that
// owns a wheel goes round a few states per record (the wheel's select,
// the input event, the flush), and they hit here without hashing. Names
// are compared by value, so that a name spelt by another string (one
// decoded from a message) hits too and is never remembered twice; the
// same string is told first, without a call.
func (s *Session) recentState(state string) *stateEntry {
	prev := s.lastEntry
	for i, r := range s.recent {
		if r != nil && (sameString(r.name, state) || r.name == state) {
			s.recent[i], s.lastEntry = prev, r
			return r
		}
	}
	entry := s.table[state]
	if entry == nil {
		return nil
	}
	copy(s.recent[1:], s.recent[:len(s.recent)-1])
	s.recent[0], s.lastEntry = prev, entry
	return entry
}

// deliverDefault redirects an event to _default with POE's ARG layout:
// the event name, then the original arguments as one list.
func (k *Kernel) deliverDefault(s *Session, state string, e *Event, direct bool) any {
	def := s.table["_default"]
	if def == nil {
		if !strings.HasPrefix(state, "_") || s.Options["default"] {
			k.logf("%s has no state %q and no _default: event dropped", s, state)
		}
		e.reset()
		return nil
	}
	orig := append([]any(nil), e.Args...)
	e.clearArgs()
	e.argv[0], e.argv[1] = state, orig
	e.Args = e.argv[:2:2]
	return k.invoke(def, state, e, direct)
}

// invoke runs one handler with the active session switched to its session.
// redirect is the event's own name when entry is _default, else "".
func (k *Kernel) invoke(entry *stateEntry, redirect string, e *Event, direct bool) any {
	if k.inHandler == 0 && k.loopG.Load() == 0 {
		return k.invokeClaimed(entry, redirect, e, direct)
	}
	s := entry.s
	e.setTarget(s, entry.name) // e.Kernel is set by frame
	if s.trace {
		k.traceDispatch(cmp.Or(redirect, entry.name), s, e.Sender)
	}
	if direct {
		return k.invokeDirect(entry, e)
	}
	d := k.depth
	k.depth++
	prev, prevRedirect := k.cur, k.redirect
	k.cur = entry
	if prevRedirect != "" || redirect != "" {
		k.redirect = redirect
	}
	defer k.guard(e, d, prev, prevRedirect, k.inHandler)()
	k.inHandler++
	ret := entry.h(e)
	k.cur = prev
	if prevRedirect != "" || redirect != "" {
		k.redirect = prevRedirect
	}
	k.leave(e)
	return ret
}

// invokeDirect is invoke for a call to the active session itself, which
// opens no dispatch frame in POE: the active event, and so the
// CALLER_STATE of what the handler posts, stay the caller's; and a panic
// goes on to the caller's own dispatch, in the same session. It is out of
// invoke's line so that invoke's frame stays small.
//
// It defers nothing, which costs a record a few nanoseconds. A panic
// that leaves it is caught by the dispatch further out, whose guard puts
// the depth and the handler count back. A panic that a handler of the same
// session recovers leaves both above the truth until that handler's own
// dispatch returns; its guard, finding the depth not where it left it,
// puts them back then. Until then the depth is only ever above the true
// one, so no live frame is reused.
//
//go:noinline
func (k *Kernel) invokeDirect(entry *stateEntry, e *Event) any {
	k.depth++
	k.inHandler++
	ret := entry.h(e)
	k.leave(e)
	return ret
}

// traceDispatch logs a dispatch to a session traced with Session.Trace.
//
//go:noinline
func (k *Kernel) traceDispatch(event string, s *Session, sender *Session) {
	k.logf("dispatching %q to %s from %s", event, s, sender)
}

// invokeClaimed is invoke for a handler run outside Run (a _start inside
// Create before Run, a Call from set-up code): it makes its goroutine the
// loop's for the handler's duration, so that its posts are the loop's
// own, and runs invoke again, which then takes its usual path.
func (k *Kernel) invokeClaimed(entry *stateEntry, redirect string, e *Event, direct bool) any {
	k.loopG.Store(getg())
	defer k.loopG.Store(0)
	return k.invoke(entry, redirect, e, direct)
}

// guard returns a dispatch's deferred end. It is run by the defer itself,
// so that recover works in it; a handler that returned has closed the
// frame, and it returns at once. Otherwise (a panic, or a handler that
// returned after recovering one from a direct call, which left the
// depth above) it unwinds the frame and puts inHandler back to handlers,
// its count before the dispatch.
func (k *Kernel) guard(e *Event, d int, prev *stateEntry, prevRedirect string, handlers int) func() {
	return func() {
		if k.depth != d {
			var r any
			if k.catchPanics {
				r = recover()
			}
			k.unwind(e, r, d, prev, prevRedirect)
			k.inHandler = handlers
		}
	}
}

// unwind ends a dispatch at depth d whose handler did not return (a
// panic or a Goexit), or returned with the depth left above by a direct
// call's recovered panic, all but inHandler, which guard restores: with
// WithCatchPanics, the panic r, recovered by guard's function, becomes
// POE's DIE signal (caught), and the dispatch returns nil, its result
// never having been set; then the active session and event go back to
// the caller's.
func (k *Kernel) unwind(e *Event, r any, d int, prev *stateEntry, prevRedirect string) {
	if r != nil {
		k.caught(e, r, debug.Stack())
	}
	k.cur = prev
	k.redirect = prevRedirect
	// This frame (evpool[d]) and those of the direct calls the panic went
	// through, which closed none: all from d on, but not all below the
	// depth now (the recovering handler's return counted it down once).
	for _, f := range k.evpool[d:] {
		f.clearArgs()
	}
	k.depth = d
}

// leave closes a dispatch frame.
func (k *Kernel) leave(e *Event) {
	k.inHandler--
	k.depth--
	e.clearArgs()
}

// caught handles a handler's panic as POE does with an exception: a DIE
// signal for the session, or, in _stop, in a DIE handler or while the
// kernel stops, an exception recorded for Run to return.
func (k *Kernel) caught(e *Event, r any, stack []byte) {
	perr := &PanicError{Session: e.Session.id, State: e.State, Value: r, Stack: stack}
	// A DIE handler's own panic, or one in a call it makes to its own
	// session, is not caught again; a call it makes to another session
	// is, as POE catches it in the callee and queues that session a DIE.
	if e.State == "_stop" || (k.dieOf != nil && e.Session == k.dieOf) || k.stopReq {
		perr.Previous = k.exception
		k.exception = perr
		return
	}
	info := map[string]any{
		"source_session": e.Sender,
		"dest_session":   e.Session,
		"event":          e.State,
		"file":           e.CallerFile,
		"line":           e.CallerLine,
		"from_state":     e.CallerState,
		"error_str":      fmt.Sprint(r),
		"error":          perr,
	}
	var it qitem
	it.prio, it.kind, it.dest, it.sender, it.state, it.hidx = k.postPrio(), kindSignal, e.Session, k.self, "DIE", -1
	it.setArgs([]any{info})
	k.enqueue(&it)
}

// resolve turns a destination into a live session: a *Session, a
// session ID, an alias, or the kernel (its *Kernel, ID or name).
func (k *Kernel) resolve(dest any) *Session {
	if s, _ := dest.(*Session); s != nil && s.live == k {
		return s // a live session of this kernel: the common case, inlined
	}
	return k.resolveAny(dest)
}

// resolveAny is resolve for every other destination. A session of this
// kernel that resolve let through is its own session or one not live.
func (k *Kernel) resolveAny(dest any) *Session {
	switch d := dest.(type) {
	case *Session:
		if d != nil && d.k == k {
			if d.kernelSelf {
				return d
			}
			return nil
		}
	case string:
		return k.lookupName(d)
	}
	return k.resolveLocked(dest)
}

// lookupName is resolveName on the loop. It remembers the last alias it
// found, so that a program that posts or calls by the same alias again,
// as POE programs do, skips hashing it. Removing an alias, and stopping a
// session that holds one, forget it; setting one cannot make it wrong,
// since an alias held is not set again.
func (k *Kernel) lookupName(name string) *Session {
	if m := &k.aliasMemo; m.s != nil && m.name == name {
		return m.s
	}
	if s := k.aliases[name]; s != nil {
		k.aliasMemo = aliasMemo{name, s}
		return s
	}
	return k.resolveOtherName(name)
}

// resolveName resolves a name: an alias, the kernel's ID or name, or a
// session ID in decimal. Like resolveLocked, it reads only what writers
// change under k.mu.
func (k *Kernel) resolveName(name string) *Session {
	if s := k.aliases[name]; s != nil {
		return s
	}
	return k.resolveOtherName(name)
}

// resolveOtherName is resolveName for a name that is not an alias.
func (k *Kernel) resolveOtherName(name string) *Session {
	if name == k.id || (k.name != "" && name == k.name) {
		return k.self
	}
	if id, err := strconv.Atoi(name); err == nil {
		return k.sessions[id]
	}
	return nil
}

// resolveLocked reads only what writers change under k.mu, so other
// goroutines may call it holding k.mu.
func (k *Kernel) resolveLocked(dest any) *Session {
	switch d := dest.(type) {
	case *Session:
		if d == nil {
			return nil
		}
		if d == k.self {
			return d
		}
		if k.sessions[d.id] == d {
			return d
		}
		return nil
	case *Kernel:
		if d == k {
			return k.self
		}
		return nil
	case string:
		return k.resolveName(d)
	case int:
		if d == 0 {
			return k.self
		}
		return k.sessions[d]
	case int64:
		return k.sessions[int(d)]
	}
	return nil
}

// SessionByID is POE's ID_id_to_session.
func (k *Kernel) SessionByID(id int) *Session {
	k.loopOnly("SessionByID")
	return k.sessions[id]
}

// SessionCount returns how many sessions are alive.
func (k *Kernel) SessionCount() int {
	k.loopOnly("SessionCount")
	return len(k.sessions)
}

// scrubFrames drops what the dispatch frames still refer to, so that a
// sleeping loop keeps no stopped session or its heap alive, and lets go
// of frames beyond the usual depth.
func (k *Kernel) scrubFrames() {
	const keep = 16
	if len(k.evpool) > keep {
		clear(k.evpool[keep:])
		k.evpool = k.evpool[:keep]
	}
	for _, e := range k.evpool[k.depth:] {
		e.reset()
	}
}

// sameIface reports whether two interfaces hold the very same value, word
// for word: unlike ==, it never panics on an uncomparable dynamic type.
func sameIface(a, b *any) bool {
	x, y := (*[2]unsafe.Pointer)(unsafe.Pointer(a)), (*[2]unsafe.Pointer)(unsafe.Pointer(b))
	return x[0] == y[0] && x[1] == y[1]
}

// sameString reports whether a and b are the same string, one pointer
// and length, as a state name passed again usually is; equal strings at
// different addresses are left to the caller's full comparison.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}
