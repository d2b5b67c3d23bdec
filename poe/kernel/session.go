package kernel

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"unicode"
)

// Session is POE::Session. The exported fields are what
// POE::Session->create takes; Create copies them into the live *Session it
// returns, whose other state belongs to the kernel.
type Session struct {
	// States are the inline states: name -> handler.
	States States
	// Object provides object states: each exported method of the form
	// func(*kernel.Event) any becomes a state of the same name, bound once
	// at creation. Methods named Start, Stop, Child, Parent and Default are
	// also bound to _start, _stop, _child, _parent and _default. Inline
	// States win over object states of the same name.
	Object any
	// ObjectStates maps state names to Object's method names, as POE's
	// object_states => [ $obj => { state => 'method' } ]. When set, only
	// these are bound, and a mapped method that is missing, unexported or
	// not a func(*kernel.Event) any refuses the session, as POE croaks.
	ObjectStates map[string]string
	// Heap is the session's HEAP (nil when not given).
	Heap any
	// Args reach _start as ARG0, ARG1, ...
	Args []any
	// Options are POE's session options: "trace" logs each dispatch,
	// "default" warns about events with neither handler nor _default.
	Options map[string]bool

	id         int
	k          *Kernel
	table      map[string]*stateEntry
	lastEntry  *stateEntry    // the state dispatched last: most events repeat it
	recent     [3]*stateEntry // states dispatched before lastEntry, latest first
	kernelSelf bool
	parent     *Session
	children   []*Session
	aliasList  []string
	extrefs    map[string]int
	eventsTo   int // queued events addressed to it
	eventsFrom int // queued events it sent to other sessions
	handles    int // watched file handles
	pids       int // child processes watched with SigChild
	stopped    bool
	live       *Kernel // k from its start (before _start) until it stops, else nil
	gcMarked   bool
	gcAt       uint64 // when marked, in ticks of the kernel's gcClock
	trace      bool
}

// ID returns the session's ID: POE's $session->ID. The kernel's own
// session has ID 0.
func (s *Session) ID() int { return s.id }

// Kernel returns the kernel the session lives in.
func (s *Session) Kernel() *Kernel { return s.k }

// IsKernel reports whether s is the kernel's own pseudo-session.
func (s *Session) IsKernel() bool { return s.kernelSelf }

// Parent returns the session's parent (the kernel's session at top level).
func (s *Session) Parent() *Session { return s.parent }

// Children returns the session's children in creation order.
func (s *Session) Children() []*Session { return append([]*Session(nil), s.children...) }

// Alive reports whether the session has not been stopped yet.
func (s *Session) Alive() bool { return s.live != nil || (s.kernelSelf && !s.stopped) }

// String is the session's loggable name: its first alias, else its ID.
func (s *Session) String() string {
	if s == nil {
		return "<nil session>"
	}
	if s.kernelSelf {
		return "kernel " + s.k.Name()
	}
	if len(s.aliasList) > 0 {
		return "session " + strconv.Itoa(s.id) + " (" + s.aliasList[0] + ")"
	}
	return "session " + strconv.Itoa(s.id)
}

// Create is POE::Session->create: it makes a session, dispatches its
// _start synchronously with Args, tells the parent (the active session, or
// the kernel at top level) with _child create, and returns the live
// session. A spec without a _start state, or whose ObjectStates name a
// method Object cannot do, is refused: Create logs it and returns nil, as
// POE does.
func (k *Kernel) Create(spec Session) *Session {
	states := spec.States
	if spec.Object != nil {
		var err error
		if states, err = bindStates(&spec); err != nil {
			k.logf("%v; session not created", err)
			return nil
		}
	}
	if states["_start"] == nil {
		k.logf("session has no _start state; not created")
		return nil
	}
	parent := k.GetActiveSession()
	s := &Session{Heap: spec.Heap, Options: spec.Options, Object: spec.Object}
	s.k = k
	s.trace = spec.Options["trace"]
	for name, h := range states {
		s.setState(name, h)
	}
	k.mu.Lock()
	s.id = k.nextSID
	k.nextSID++
	k.sessions[s.id] = s
	k.mu.Unlock()
	parent.adopt(s)
	s.live = k

	ret := k.dispatch(s, parent, "_start", spec.Args, "", "", 0, false)
	if s.parent == parent && !s.stopped && !parent.kernelSelf {
		k.dispatch(parent, k.self, "_child", []any{"create", s, ret}, "", "", 0, false)
	}
	if !s.stopped {
		k.enqueueInternal(s, kindGC, nil)
	}
	return s
}

// bindStates merges object states and inline states into one table.
func bindStates(spec *Session) (States, error) {
	states := States{}
	if spec.Object != nil {
		if err := bindObject(states, spec.Object, spec.ObjectStates); err != nil {
			return nil, err
		}
	}
	for name, h := range spec.States {
		states[name] = h
	}
	return states, nil
}

var handlerType = reflect.TypeOf((*Handler)(nil)).Elem()

var poeMethodStates = map[string]string{
	"Start": "_start", "Stop": "_stop", "Child": "_child", "Parent": "_parent", "Default": "_default",
}

// bindObject adds obj's methods to states: those names maps, or else
// every exported handler method. A mapped method that is missing,
// unexported or not a handler is an error, where POE croaks that the
// object does not have the method; binding every method skips those.
func bindObject(states States, obj any, names map[string]string) error {
	v := reflect.ValueOf(obj)
	bind := func(state, method string) bool {
		m := v.MethodByName(method)
		if !m.IsValid() || !m.Type().ConvertibleTo(handlerType) {
			return false
		}
		states[state] = m.Convert(handlerType).Interface().(Handler)
		return true
	}
	if names != nil {
		for state, method := range names {
			if !bind(state, method) {
				return fmt.Errorf("object %T has no exported method %s of type func(*kernel.Event) any for state %s", obj, method, state)
			}
		}
		return nil
	}
	t := v.Type()
	for i := 0; i < t.NumMethod(); i++ {
		name := t.Method(i).Name
		if !unicode.IsUpper(rune(name[0])) {
			continue
		}
		bind(name, name)
		if poe, ok := poeMethodStates[name]; ok {
			bind(poe, name)
		}
	}
	return nil
}

// refcount is POE's session reference count (POE-SEMANTICS 2.4).
func (s *Session) refcount() int {
	n := len(s.children) + len(s.aliasList) + s.handles + len(s.extrefs) + s.pids
	if s.eventsTo > 0 {
		n++
	}
	if s.eventsFrom > 0 {
		n++
	}
	return n
}

// markGC queues s for the next garbage-collection sweep, marked now.
//
// As POE's _data_ses_refcount_dec, it marks only a session left without
// references: the sweep stops the latest marked first, and POE's order is
// that of the moments the sessions' counts fell to zero. A session
// marked again moves to its new moment, as POE's list of marks takes it
// again at its end.
func (k *Kernel) markGC(s *Session) {
	k.gcClock++
	k.markGCAt(s, k.gcClock)
}

// markGCAt marks s as of the moment at, a tick of gcClock: that of the
// event that left s without references when it left the queue, for a
// mark made after its handler (settle).
func (k *Kernel) markGCAt(s *Session, at uint64) {
	if s.kernelSelf || s.stopped || s.refcount() != 0 {
		return
	}
	if s.gcMarked {
		s.gcAt = max(s.gcAt, at) // marked again, later
		return
	}
	s.gcMarked, s.gcAt = true, at
	k.gcq = append(k.gcq, s)
}

// gcSweep stops every marked session whose count reached zero.
func (k *Kernel) gcSweep() {
	if len(k.gcq) == 0 {
		return
	}
	k.drainInbox() // posts still in the inbox hold their sessions too
	// POE's _data_ses_gc_sweep works in rounds: it takes the marks made
	// so far and stops those sessions latest mark first, and the marks
	// their stops make (a parent's) form the next round. Sessions that
	// fall idle together so stop in the reverse of the order they were
	// marked, which programs can see in their _stop and _child order.
	var round []*Session
	for len(k.gcq) > 0 {
		round, k.gcq = k.gcq, round[:0]
		// Marks join the list as they are made, but settle's are as of
		// an earlier moment, and a session marked again moves.
		byMark := func(a, b *Session) int { return cmp.Compare(a.gcAt, b.gcAt) }
		if !slices.IsSortedFunc(round, byMark) {
			slices.SortFunc(round, byMark)
		}
		for _, s := range round {
			s.gcMarked = false
		}
		for i := len(round) - 1; i >= 0; i-- {
			s := round[i]
			round[i] = nil
			if !s.stopped && s.refcount() == 0 {
				k.stopSession(s)
			}
		}
	}
	k.gcq = round[:0]
}

// stopSession is POE's _data_ses_stop: children move to the grandparent,
// the session gets _stop, its parent _child lose, and everything it owns is
// released, children its _stop created included.
func (k *Kernel) stopSession(s *Session) {
	if s.stopped {
		return
	}
	parent := s.parent
	for _, c := range append([]*Session(nil), s.children...) {
		k.reparent(c, parent)
	}
	ret := k.dispatch(s, k.GetActiveSession(), "_stop", nil, "", "", 0, false)
	if parent != nil && !parent.kernelSelf {
		// The session still exists while its parent hears _child lose,
		// as POE frees it only after: a post to it succeeds (and is
		// dropped with the rest of its events below).
		k.dispatch(parent, k.self, "_child", []any{"lose", s, ret}, "", "", 0, false)
	}
	s.stopped = true
	s.live = nil
	// The parent lets go of s before s's events are dropped, as in POE's
	// _data_ses_free: the parent is marked for collection before the
	// senders of events to s, so a sweep (latest mark first) stops those
	// senders first.
	if parent != nil {
		parent.removeChild(s)
		// Sessions created by s's own _stop are its children still: they
		// move to the parent without _child gain or _parent, as POE's
		// _data_ses_free moves them, and hold the parent up in turn.
		for _, c := range s.children {
			parent.adopt(c)
		}
		clear(s.children)
		s.children = s.children[:0]
		k.markGC(parent)
	}
	k.releaseSession(s)
}

// reparent moves child c under newParent, with POE's _child gain and
// _parent events.
func (k *Kernel) reparent(c, newParent *Session) {
	old := c.parent
	old.removeChild(c)
	newParent.adopt(c)
	if !newParent.kernelSelf {
		k.dispatch(newParent, k.self, "_child", []any{"gain", c}, "", "", 0, false)
	}
	k.dispatch(c, k.self, "_parent", []any{old, newParent}, "", "", 0, false)
	k.markGC(old)
}

// adopt makes c the last of s's children. The caller has taken c from
// its old parent's children, if it had one.
func (s *Session) adopt(c *Session) {
	c.parent = s
	s.children = append(s.children, c)
}

func (s *Session) removeChild(c *Session) {
	for i, x := range s.children {
		if x == c {
			copy(s.children[i:], s.children[i+1:])
			s.children[len(s.children)-1] = nil
			s.children = s.children[:len(s.children)-1]
			return
		}
	}
}

// releaseSession frees everything a stopped session owns.
func (k *Kernel) releaseSession(s *Session) {
	k.mu.Lock()
	for _, a := range s.aliasList {
		delete(k.aliases, a)
	}
	delete(k.sessions, s.id)
	k.mu.Unlock()
	if s.aliasList != nil {
		k.aliasMemo = aliasMemo{}
	}
	s.aliasList = nil
	k.sigs.removeSession(k, s)
	if len(s.extrefs) > 0 {
		k.extrefCount--
		s.extrefs = nil
	}
	k.releaseHandles(s)
	k.dropEventsOf(s)
}

// dropEventsOf discards every queued event to or from s (POE-SEMANTICS
// 2.4) in POE's order (_data_ev_clear_session): the events to s, then
// those from it, each in queue order. The order is seen: each drop may
// leave a sender or a destination without references, and the sweep
// stops the latest marked first.
func (k *Kernel) dropEventsOf(s *Session) {
	if s.eventsTo == 0 && s.eventsFrom == 0 {
		return
	}
	k.dropQueued(func(it *qitem) bool { return it.dest == s })
	k.dropQueued(func(it *qitem) bool { return it.sender == s })
}

// dropQueued discards the queued items that match, posts and alarms
// together in queue order.
func (k *Kernel) dropQueued(match func(*qitem) bool) {
	var posts []*qitem
	k.ring.each(func(it *qitem) {
		if it.kind != kindDead && match(it) {
			posts = append(posts, it)
		}
	})
	timers := k.timersWhere(match)
	for len(posts) > 0 || len(timers) > 0 {
		if len(timers) == 0 || (len(posts) > 0 && less(posts[0], timers[0])) {
			it := posts[0]
			posts = posts[1:]
			k.uncount(it)
			*it = qitem{kind: kindDead}
			continue
		}
		k.dropTimer(timers[0])
		timers = timers[1:]
	}
}

// DetachMyself is POE's detach_myself: the active session becomes a child
// of the kernel. It fails with EPERM when it already is one.
func (k *Kernel) DetachMyself() error {
	k.loopOnly("DetachMyself")
	s := k.GetActiveSession()
	if s.kernelSelf || s.parent.kernelSelf {
		return kerr("detach_myself", s, eperm)
	}
	k.detach(s, k.GetActiveEvent() == "_start")
	return nil
}

// DetachChild is POE's detach_child: a child of the active session becomes
// a child of the kernel. EPERM when it is not the active session's child,
// ESRCH when it does not resolve.
func (k *Kernel) DetachChild(child any) error {
	k.loopOnly("DetachChild")
	c := k.resolve(child)
	if c == nil {
		return kerr("detach_child", child, esrch)
	}
	if c.parent != k.GetActiveSession() {
		return kerr("detach_child", child, eperm)
	}
	k.detach(c, false)
	return nil
}

// detach gives c to the kernel. The old parent hears _child lose unless c
// detaches itself during its own _start (then the parent hears nothing).
func (k *Kernel) detach(c *Session, inStart bool) {
	old := c.parent
	if !inStart {
		k.dispatch(old, k.self, "_child", []any{"lose", c, nil}, "", "", 0, false)
	}
	k.dispatch(c, k.self, "_parent", []any{old, k.self}, "", "", 0, false)
	old.removeChild(c)
	k.self.adopt(c)
	k.markGC(old)
}
