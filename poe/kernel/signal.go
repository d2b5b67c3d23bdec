package kernel

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

type sigWatch struct {
	state string
	args  []any
}

type pidWatch struct {
	s     *Session
	state string
	args  []any
}

// signalTable holds POE's signal watchers, child-process watchers and the
// bridge from operating-system signals into the loop.
type signalTable struct {
	watchers map[string]map[*Session]*sigWatch
	order    map[string][]*Session // watcher order, for stable delivery among siblings
	pids     map[int][]*pidWatch   // by pid, in watch order; one per session, as POE keeps them
	handled  bool

	osWatched int
	osCount   map[os.Signal]int
	osCh      chan os.Signal
	osDone    chan struct{}
	osOnce    sync.Once
}

func (t *signalTable) init() {
	t.watchers = map[string]map[*Session]*sigWatch{}
	t.order = map[string][]*Session{}
	t.pids = map[int][]*pidWatch{}
	t.osCount = map[os.Signal]int{}
}

// osSignals are the signal names POE maps to operating-system signals.
var osSignals = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT, "TERM": syscall.SIGTERM,
	"USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "PIPE": syscall.SIGPIPE, "ALRM": syscall.SIGALRM,
	"CHLD": syscall.SIGCHLD, "CONT": syscall.SIGCONT, "TSTP": syscall.SIGTSTP, "WINCH": syscall.SIGWINCH,
	"TTIN": syscall.SIGTTIN, "TTOU": syscall.SIGTTOU, "URG": syscall.SIGURG,
}

var sigName = func() map[os.Signal]string {
	m := map[os.Signal]string{}
	for n, s := range osSignals {
		m[s] = n
	}
	return m
}()

// SignalKind is POE's signal type: what happens when nobody handles it.
type SignalKind int

// The kinds of signal, as POE classifies them.
const (
	Benign      SignalKind = iota // nothing happens when unhandled
	Terminal                      // unhandled, it stops every session it reached
	Nonmaskable                   // it stops every session it reached, handled or not
)

// KindOf returns the kind POE gives the named signal.
func KindOf(name string) SignalKind {
	switch name {
	case "ZOMBIE", "UIDESTROY":
		return Nonmaskable
	case "QUIT", "INT", "KILL", "TERM", "HUP", "IDLE", "DIE":
		return Terminal
	}
	return Benign
}

// Sig is POE's sig: the active session's state receives signal name
// (ARG0 the name, then the signal's own arguments, then args). An empty
// state stops watching. Watching an operating-system signal (INT, TERM,
// HUP, USR1, ...) makes the kernel catch it while anyone watches it.
// Signal watchers do not keep a session alive.
func (k *Kernel) Sig(name, state string, args ...any) error {
	k.loopOnly("Sig")
	s := k.GetActiveSession()
	if name == "" {
		return kerr("sig", name, einval)
	}
	if s.kernelSelf {
		return kerr("sig", name, esrch)
	}
	if state == "" {
		k.sigs.remove(k, name, s)
		return nil
	}
	ws := k.sigs.watchers[name]
	if ws == nil {
		ws = map[*Session]*sigWatch{}
		k.sigs.watchers[name] = ws
	}
	if _, ok := ws[s]; !ok {
		k.sigs.order[name] = append(k.sigs.order[name], s)
		if sig, ok := osSignals[name]; ok {
			k.watchOS(sig)
		}
	}
	ws[s] = &sigWatch{state: state, args: append([]any(nil), args...)}
	return nil
}

func (t *signalTable) remove(k *Kernel, name string, s *Session) {
	ws := t.watchers[name]
	if _, ok := ws[s]; !ok {
		return
	}
	delete(ws, s)
	ord := t.order[name]
	for i, x := range ord {
		if x == s {
			t.order[name] = append(ord[:i], ord[i+1:]...)
			break
		}
	}
	if sig, ok := osSignals[name]; ok {
		k.unwatchOS(sig)
	}
}

func (t *signalTable) removeSession(k *Kernel, s *Session) {
	for name, ws := range t.watchers {
		if _, ok := ws[s]; ok {
			t.remove(k, name, s)
		}
	}
	for pid := range t.pids {
		t.unwatchPid(pid, s)
	}
}

// SigHandled is POE's sig_handled: the signal being dispatched counts as
// handled, so a terminal signal stops nobody.
func (k *Kernel) SigHandled() {
	k.loopOnly("SigHandled")
	k.sigs.handled = true
}

// Signal is POE's signal: it queues signal name for dest (a session, ID,
// alias, or the kernel for every session) and its descendants. ESRCH when
// dest does not resolve. Safe from any goroutine.
func (k *Kernel) Signal(dest any, name string, args ...any) error {
	if name == "" {
		return kerr("signal", name, einval)
	}
	return k.postItem(dest, kindSignal, name, args, nil)
}

// signalTargets collects dest and its descendants breadth first, with
// dest's ancestors first for DIE (POE-SEMANTICS 5.2).
func (k *Kernel) signalTargets(dest *Session, name string) []*Session {
	var list []*Session
	if dest.kernelSelf {
		list = append(list, dest.children...)
	} else {
		list = append(list, dest)
	}
	for i := 0; i < len(list); i++ {
		list = append(list, list[i].children...)
	}
	if name == "DIE" && !dest.kernelSelf {
		var up []*Session
		for p := dest.parent; p != nil && !p.kernelSelf; p = p.parent {
			up = append([]*Session{p}, up...)
		}
		list = append(up, list...)
	}
	return list
}

// dispatchSignal delivers the signal it to the watchers among its
// targets, deepest first, then stops them as the signal's kind says. Each
// handler gets the kernel as SENDER and, as CALLER_STATE and position,
// those of the signal call: the event that sent it, or "" for the
// kernel's own.
func (k *Kernel) dispatchSignal(it *qitem) {
	dest, name, args := it.dest, it.state, it.args()
	targets := k.signalTargets(dest, name)
	saved := k.sigs.handled
	k.sigs.handled = false
	if ws := k.sigs.watchers[name]; len(ws) > 0 {
		// The watchers the signal had when its dispatch began, as POE's
		// (_data_sig_watchers copies them): one a handler registers or
		// removes meanwhile does not change who hears this signal.
		type heard struct {
			s *Session
			w *sigWatch
		}
		var buf [8]heard // most signals have few watchers: no allocation
		hearing := buf[:0]
		for i := len(targets) - 1; i >= 0; i-- {
			if w := ws[targets[i]]; w != nil {
				hearing = append(hearing, heard{targets[i], w})
			}
		}
		for _, h := range hearing {
			s, w := h.s, h.w
			if s.stopped {
				continue
			}
			a := make([]any, 0, 1+len(args)+len(w.args))
			a = append(append(append(a, name), args...), w.args...)
			prevDie := k.dieOf
			if name == "DIE" {
				k.dieOf = s
			}
			k.dispatch(s, k.self, w.state, a, it.callerState, it.callerFile, it.callerLine, false)
			k.dieOf = prevDie
		}
	}
	handled := k.sigs.handled
	k.sigs.handled = saved
	kind := KindOf(name)
	if kind == Nonmaskable || (kind == Terminal && !handled) {
		for i := len(targets) - 1; i >= 0; i-- {
			if s := targets[i]; !s.stopped {
				k.stopSession(s)
			}
		}
	}
	if name == "DIE" && !handled {
		k.recordUnhandledDie(args)
	}
}

func (k *Kernel) recordUnhandledDie(args []any) {
	info, _ := firstArg(args).(map[string]any)
	perr, _ := info["error"].(*PanicError)
	if perr == nil {
		return
	}
	// An exception recorded while this DIE was dispatched came from its
	// handlers (or from the _stop of a session it stopped), each chained
	// to the one before. The original panic goes at the chain's start, as
	// POE's message puts it first, and every handler's panic stays after
	// it.
	first, ok := k.exception.(*PanicError) // the kernel records nothing else
	if !ok {
		k.exception = perr
		return
	}
	for prev, ok := first.Previous.(*PanicError); ok; prev, ok = first.Previous.(*PanicError) {
		first = prev
	}
	first.Previous = perr
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

// watchOS makes the operating system's signal reach the loop as a signal
// to the kernel, while at least one session watches it.
func (k *Kernel) watchOS(sig syscall.Signal) {
	t := &k.sigs
	t.osCount[sig]++
	if t.osCount[sig] > 1 {
		return
	}
	t.osWatched++
	t.osOnce.Do(func() {
		t.osCh = make(chan os.Signal, 64)
		t.osDone = make(chan struct{})
		go k.forwardSignals(t.osCh, t.osDone)
	})
	signal.Notify(t.osCh, sig)
}

func (k *Kernel) unwatchOS(sig syscall.Signal) {
	t := &k.sigs
	if t.osCount[sig] == 0 {
		return
	}
	t.osCount[sig]--
	if t.osCount[sig] > 0 {
		return
	}
	delete(t.osCount, sig)
	t.osWatched--
	if sig == syscall.SIGCHLD && len(t.pids) > 0 {
		return // still needed for SigChild
	}
	signal.Reset(sig)
}

// forwardSignals is the kernel's one signal goroutine: POE's signal pipe.
func (k *Kernel) forwardSignals(ch chan os.Signal, done chan struct{}) {
	for {
		select {
		case sig := <-ch:
			name := sigName[sig]
			if sig == syscall.SIGCHLD {
				// As in POE, SIGCHLD only triggers reaping; each reaped
				// child becomes its own CHLD signal with pid and status.
				k.postItem(k.self, kindFunc, "", nil, k.reapChildren)
				continue
			}
			k.Signal(k.self, name)
		case <-done:
			return
		}
	}
}

func (t *signalTable) stopAll() {
	if t.osCh != nil {
		signal.Stop(t.osCh)
		close(t.osDone)
		t.osCh = nil
	}
}
