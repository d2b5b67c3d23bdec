package kernel

import (
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Kernel is POE::Kernel: one event loop on one goroutine, running sessions
// whose handlers never run concurrently. Only Post (and the other calls
// documented as goroutine-safe) may be used from other goroutines; every
// other method belongs to the loop: call it from a handler, or before Run.
type Kernel struct {
	id     string
	name   string
	start  time.Time
	poller poller
	logger *log.Logger

	catchPanics bool
	callerInfo  bool
	spinFor     time.Duration

	self *Session // the kernel's own pseudo-session (ID 0)

	// The queue: posts in a FIFO ring, alarms in a heap.
	ring       ring
	timers     timerQueue
	timerByID  map[int64]*qitem // by alarmID
	freeTimers []*qitem
	nextID     int64
	lastPrio   int64
	pending    int // queued items that keep the kernel busy (keepsBusy)

	// Sessions. Writers hold mu so that Post can resolve from any goroutine.
	mu       sync.Mutex
	sessions map[int]*Session
	aliases  map[string]*Session
	nextSID  int

	// The goroutine-safe door: items posted through the lock, drained by the loop.
	inbox    []qitem
	spare    []qitem
	inboxN   atomic.Int32
	sleeping atomic.Bool

	cur      *stateEntry    // the running state: SENDER and CALLER_STATE of posts
	loopG    atomic.Uintptr // identity of the goroutine running the loop, 0 when none
	redirect string         // the event _default (cur) handles; "" when cur handles its own
	dieOf    *Session       // the session whose DIE handler runs, if one does
	depth    int
	evpool   []*Event

	fds        map[int]*fdWatch
	readyBuf   []readyFd
	collectFn  func(int, interest)
	readBuf    []byte // shared by the drivers of this loop's wheels
	lastPoll   int64
	clock      atomic.Int64 // the clock as last read: priority of posts
	handleRefs int

	sigs        signalTable
	extrefCount int // sessions holding at least one extra reference

	gcq     []*Session
	gcClock uint64 // ticks for the order of marks: see markGC, eventFrame

	flushers []func() // run once after the current I/O batch or event round

	// inHandler is non-zero while a handler (or a flusher or a queued
	// function) runs, and only that is ever asked of it: Call's shortest
	// path, which starts inside a handler, leaves it as it is.
	inHandler int
	stopReq   bool
	exception error
	idleSent  bool
	oneStep   int // RunOneTimeslice calls under way: dispatchDue stops after one step

	aliasMemo aliasMemo // the last alias lookupName found (loop only)
}

// Option configures a Kernel at creation.
type Option func(*Kernel)

// WithName gives the kernel a name, which IKC uses as the kernel's name on
// the network (Server/Client name).
func WithName(name string) Option { return func(k *Kernel) { k.name = name } }

// WithLogger sends the kernel's warnings (unknown states, errors in
// handlers) to l instead of standard error.
func WithLogger(l *log.Logger) Option { return func(k *Kernel) { k.logger = l } }

// WithCatchPanics(false) lets a panicking handler's panic leave Run, as
// POE_CATCH_EXCEPTIONS=0 does; by default panics become DIE signals.
func WithCatchPanics(on bool) Option { return func(k *Kernel) { k.catchPanics = on } }

// WithCallerInfo records the file and line of every Post, Yield, Call and
// alarm for the CallerFile and CallerLine slots. It costs a stack walk per
// call, so it is off by default.
func WithCallerInfo(on bool) Option { return func(k *Kernel) { k.callerInfo = on } }

// WithSpin sets how long the loop keeps polling without blocking after it
// last had something to do (default 50µs). Blocking in the poller costs tens
// of microseconds to wake from; a short spin keeps request-response traffic
// fast. Zero blocks at once. A spin ends when the next alarm or delay is
// due, and the loop then blocks only for the time left, to the
// microsecond (on Linux from 5.11, with epoll_pwait2; before that, to the
// millisecond).
func WithSpin(d time.Duration) Option { return func(k *Kernel) { k.spinFor = d } }

// aliasMemo is an alias and its session.
type aliasMemo struct {
	name string
	s    *Session
}

// New creates a kernel: POE::Kernel->new. It fails only when the operating
// system refuses the poller.
func New(opts ...Option) (*Kernel, error) {
	k := &Kernel{
		start:       time.Now(),
		catchPanics: true,
		spinFor:     50 * time.Microsecond,
		timerByID:   map[int64]*qitem{},
		sessions:    map[int]*Session{},
		aliases:     map[string]*Session{},
		fds:         map[int]*fdWatch{},
		nextSID:     1,
		logger:      log.New(os.Stderr, "", log.LstdFlags),
	}
	k.id = makeKernelID(k.start)
	for _, o := range opts {
		o(k)
	}
	p, err := newPoller()
	if err != nil {
		return nil, err
	}
	k.poller = p
	k.self = &Session{id: 0, k: k, kernelSelf: true}
	k.collectFn = k.collect
	k.sigs.init()
	return k, nil
}

// MustNew is New that panics on failure, for programs and tests where a
// kernel that cannot be created is fatal anyway.
func MustNew(opts ...Option) *Kernel {
	k, err := New(opts...)
	if err != nil {
		panic(err)
	}
	return k
}

// ID returns the kernel's ID in POE's shape:
// hostname-hexseconds-hexpid-hexsequence. Goroutine-safe.
func (k *Kernel) ID() string { return k.id }

// Name returns the name given with WithName, or the ID. Goroutine-safe.
func (k *Kernel) Name() string {
	if k.name != "" {
		return k.name
	}
	return k.id
}

// Session returns the kernel's own pseudo-session: the SENDER of the
// kernel's events and the parent of top-level sessions.
func (k *Kernel) Session() *Session { return k.self }

func (k *Kernel) logf(format string, args ...any) {
	if k.logger != nil {
		k.logger.Output(2, fmt.Sprintf("kernel %s: ", k.Name())+fmt.Sprintf(format, args...))
	}
}

// SetLogOutput redirects warnings, for tests that check them.
func (k *Kernel) SetLogOutput(w io.Writer) { k.logger = log.New(w, "", 0) }

// now reads the kernel's monotonic clock (ns since creation) and
// remembers it for posts.
func (k *Kernel) now() int64 {
	t := int64(time.Since(k.start))
	k.clock.Store(t)
	return t
}

// postPrio is the priority of a post: the clock as last read. Reading the
// real clock per post costs more than the rest of a dispatch on some
// machines; the cached value is refreshed every timeslice and whenever an
// alarm is set, which keeps POE's order between posts and alarms: an alarm
// set before a post is due no later than the post, one set after it no
// earlier.
func (k *Kernel) postPrio() int64 { return k.clock.Load() }

func (k *Kernel) timeOf(prio int64) time.Time { return k.start.Add(time.Duration(prio)) }

func (k *Kernel) prioOf(t time.Time) int64 { return int64(t.Sub(k.start)) }

// loopOnly panics when a loop-only call comes from another goroutine
// while the loop runs and no handler is running. While a handler runs, a
// call from another goroutine may be a synchronous hand-off (the handler
// waiting for it, as testing's t.Run does), which is safe; true concurrent
// misuse is left to the race detector.
func (k *Kernel) loopOnly(op string) {
	if k.inHandler != 0 {
		return // never a panic while a handler runs; skip the identity check
	}
	k.checkLoop(op)
}

// checkLoop is loopOnly's identity check, out of line so that loopOnly
// inlines into the hot calls.
func (k *Kernel) checkLoop(op string) {
	if g := k.loopG.Load(); g != 0 && g != getg() {
		panic("kernel: " + op + " called from outside the event loop; only Post and Signal are safe from other goroutines")
	}
}

// onLoop reports whether the caller is the goroutine running the loop.
func (k *Kernel) onLoop() bool {
	g := k.loopG.Load()
	return g != 0 && g == getg()
}

// enterLoop makes the calling goroutine the loop's, for Run or a
// RunOneTimeslice called on its own. It reports whether it did (false when
// the caller already was the loop).
func (k *Kernel) enterLoop(op string) bool {
	g := getg()
	switch k.loopG.Load() {
	case g:
		return false
	case 0:
		k.loopG.Store(g)
		return true
	}
	panic("kernel: " + op + " called while another goroutine runs this kernel")
}

func (k *Kernel) leaveLoop() {
	k.loopG.Store(0)
}

// Run is POE::Kernel->run: it dispatches events until no session is left
// or Stop is called. It returns the unhandled DIE (a *PanicError) that made
// the kernel stop, if any. Run with no sessions returns at once.
func (k *Kernel) Run() error {
	if k.loopG.Load() != 0 {
		return fmt.Errorf("kernel: Run called while the kernel is already running")
	}
	k.enterLoop("Run")
	defer k.leaveLoop()
	for k.timeslice() {
	}
	k.scrubFrames()
	return k.takeException()
}

func (k *Kernel) takeException() error {
	err := k.exception
	k.exception = nil
	return err
}

// RunOneTimeslice runs one iteration of the loop (POE's
// run_one_timeslice): the idle check, one wait for I/O or the next due
// event, the I/O dispatch and every due event. It returns false when no
// session is left.
func (k *Kernel) RunOneTimeslice() bool {
	if k.enterLoop("RunOneTimeslice") {
		defer k.leaveLoop()
	}
	k.oneStep++
	defer func() { k.oneStep-- }()
	return k.timeslice()
}

func (k *Kernel) timeslice() bool {
	k.drainInbox()
	if len(k.sessions) == 0 || k.stopReq {
		k.stopReq = false
		return false
	}

	k.checkIdle()
	k.waitAndDispatchIO()
	k.runFlushers()
	k.gcSweep()
	k.dispatchDue()
	k.runFlushers()
	k.gcSweep()
	if k.exception != nil && k.inHandler == 0 {
		k.Stop()
	}
	more := len(k.sessions) > 0 && !k.stopReq
	k.stopReq = false // Stop ends this Run only: sessions created later run on the next
	return more
}

// waitAndDispatchIO waits in the poller for as long as nothing is due.
func (k *Kernel) waitAndDispatchIO() {
	timeout := k.timeout()
	if timeout == 0 {
		// Events are waiting: look at I/O without blocking, but not more
		// often than every busyPoll, so a busy queue is not a syscall per event.
		if len(k.fds) == 0 {
			return
		}
		if now := k.now(); now-k.lastPoll >= busyPoll {
			k.lastPoll = now
			k.poll(0)
		}
		return
	}
	if k.spinFor > 0 {
		if k.spin(timeout) {
			return
		}
		// The spin took its time: wait only for what is left of it, and
		// not at all when the next timer fell due while spinning.
		if timeout = k.timeout(); timeout == 0 {
			return
		}
	}
	k.scrubFrames()
	k.sleeping.Store(true)
	if k.inboxN.Load() > 0 {
		timeout = 0
	}
	k.poll(timeout)
	k.sleeping.Store(false)
	k.lastPoll = k.now()
}

// busyPoll is how often a loop with events queued still polls for I/O.
const busyPoll = int64(20 * time.Microsecond)

// spin polls without blocking for a short while, so that a reply that
// arrives within microseconds is seen without the cost of a wake-up.
// It returns true as soon as there is something to do: I/O was
// dispatched or another goroutine posted. It spins for spinFor at most,
// and no longer than limit (nanoseconds), the time until the next timer
// is due, so that the timer is not kept waiting.
//
// Every few polls it yields the processor, so that with one P the
// goroutines that post to this kernel get to run during the spin. With
// more Ps they run beside it, and the spin yields eight times less
// often: each yield may hand the loop to another thread, and on a busy
// connection that move costs more than the poll it makes room for.
func (k *Kernel) spin(limit int64) bool {
	var deadline int64
	yieldMask := 7
	for i := 0; ; i++ {
		if k.inboxN.Load() > 0 {
			return true
		}
		if len(k.fds) > 0 && k.poll(0) {
			return true
		}
		if now := k.now(); i == 0 {
			// The clock is read once the first poll has found nothing:
			// not on the path of a request that is already there.
			deadline = now + min(int64(k.spinFor), limit)
		} else if now >= deadline {
			return false
		}
		if i == 7 && runtime.GOMAXPROCS(0) > 1 {
			// Asked only now, when the spin has found nothing for a
			// while: not on the path of a reply that is already there.
			yieldMask = 63
		}
		if i&yieldMask == yieldMask {
			runtime.Gosched()
		}
	}
}

// maxTimeout is the longest the poller blocks at once.
const maxTimeout = int64(time.Hour)

// timeout is how long the poller may block, in nanoseconds: until the
// next due item, 0 when posts are waiting, at most maxTimeout.
func (k *Kernel) timeout() int64 {
	if k.ring.n > 0 || k.inboxN.Load() > 0 || len(k.flushers) > 0 {
		return 0
	}
	t := k.timers.peek()
	if t == nil {
		return maxTimeout
	}
	return min(max(t.prio-k.now(), 0), maxTimeout)
}

// Stop is POE::Kernel->stop: every session is stopped now, children before
// parents, each getting _stop and its parent _child lose; then Run returns.
// A session that a _stop creates meanwhile is stopped too, where POE's
// stop, which lists the sessions first, leaves it to run on: here no
// session is left behind with its events dropped.
func (k *Kernel) Stop() {
	for len(k.self.children) > 0 {
		for _, s := range k.topLevel() {
			k.stopTree(s)
		}
	}
	k.stopReq = true
	k.discardQueue()
}

// topLevel lists the children of the kernel in creation order.
func (k *Kernel) topLevel() []*Session {
	return append([]*Session(nil), k.self.children...)
}

func (k *Kernel) stopTree(s *Session) {
	if s.stopped {
		return
	}
	for _, c := range append([]*Session(nil), s.children...) {
		k.stopTree(c)
	}
	k.stopSession(s)
}

// discardQueue drops everything queued, after Stop.
func (k *Kernel) discardQueue() {
	var it qitem
	for k.ring.n > 0 {
		k.ring.pop(&it)
	}
	for k.timers.len() > 0 {
		t := k.timers.peek()
		k.timers.remove(t)
		if t.alarmID != 0 {
			delete(k.timerByID, t.alarmID)
		}
	}
	k.pending = 0
	k.mu.Lock()
	clear(k.inbox)
	k.inbox = k.inbox[:0]
	k.inboxN.Store(0)
	k.mu.Unlock()
}

// AfterDispatch registers fn to run once, on the loop, after the I/O
// batch or the round of due events that is being dispatched now. Wheels
// use it to write everything their handlers put during one round with one
// write(2) per descriptor; it has no POE counterpart. Loop-only.
func (k *Kernel) AfterDispatch(fn func()) {
	k.loopOnly("AfterDispatch")
	k.flushers = append(k.flushers, fn)
}

func (k *Kernel) runFlushers() {
	for i := 0; i < len(k.flushers); i++ {
		fn := k.flushers[i]
		k.flushers[i] = nil
		k.inHandler++
		fn()
		k.inHandler--
	}
	k.flushers = k.flushers[:0]
}

// ReadBuffer returns the loop's scratch buffer, at least n octets long, for
// drivers to read into: the loop reads one descriptor at a time, so one
// buffer serves every connection of the kernel. What a driver reads into it
// must be consumed (a filter copies it) before the next read. Loop-only.
func (k *Kernel) ReadBuffer(n int) []byte {
	k.loopOnly("ReadBuffer")
	if len(k.readBuf) < n {
		k.readBuf = make([]byte, n)
	}
	return k.readBuf
}

// GetActiveSession returns the session whose handler is running, or the
// kernel's own session between dispatches: POE's get_active_session.
func (k *Kernel) GetActiveSession() *Session {
	if k.cur != nil {
		return k.cur.s
	}
	return k.self
}

// GetActiveEvent returns the name of the event being handled (the
// event's own name in _default, as in POE), or "" between dispatches.
func (k *Kernel) GetActiveEvent() string {
	if k.cur == nil {
		return ""
	}
	return k.eventOf(k.cur)
}

// origin is the SENDER and CALLER_STATE of what the running handler
// posts or calls: its session and the event it handles, or the kernel's
// session and "" between dispatches.
func (k *Kernel) origin() (*Session, string) {
	if cur := k.cur; cur != nil {
		return cur.s, k.eventOf(cur)
	}
	return k.self, ""
}

// eventOf is the event the running state cur handles: its own name, or in
// _default the event's. It is the CALLER_STATE of what the handler posts,
// calls or sets.
func (k *Kernel) eventOf(cur *stateEntry) string {
	if k.redirect != "" {
		return k.redirect
	}
	return cur.name
}

// Close releases the kernel's poller. A kernel is unusable afterwards.
func (k *Kernel) Close() error {
	k.sigs.stopAll()
	return k.poller.close()
}

// checkIdle is POE's _test_if_kernel_is_idle: when nothing but the
// kernel's own bookkeeping can ever happen again, it signals IDLE to every
// session, and if that changes nothing, ZOMBIE, which stops them all.
func (k *Kernel) checkIdle() {
	idle := k.pending == 0 && k.inboxN.Load() == 0 && k.handleRefs == 0 &&
		k.extrefCount == 0 && len(k.sigs.pids) == 0 && len(k.sessions) > 0
	if !idle {
		k.idleSent = false
		return
	}
	name := "IDLE"
	if k.idleSent {
		name = "ZOMBIE"
	}
	k.idleSent = !k.idleSent
	var it qitem
	it.prio, it.kind, it.dest, it.sender, it.state, it.hidx = k.postPrio(), kindSignal, k.self, k.self, name, -1
	k.enqueue(&it)
}
