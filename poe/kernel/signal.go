package kernel

import (
	"os"
	"os/signal"
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

	os map[syscall.Signal]*osWatch // the operating-system signals reaching the loop
}

// osWatch brings one operating-system signal into the loop. Each signal
// has its own channel, so that ending it (signal.Stop) takes away this
// kernel's registration only: a signal.Notify elsewhere in the program, or
// another kernel watching the same signal, keeps receiving it.
type osWatch struct {
	sessions int // sessions watching it by name
	ch       chan os.Signal
	done     chan struct{}
}

func (t *signalTable) init() {
	t.watchers = map[string]map[*Session]*sigWatch{}
	t.order = map[string][]*Session{}
	t.pids = map[int][]*pidWatch{}
	t.os = map[syscall.Signal]*osWatch{}
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
	k.holdOS(sig).sessions++
}

// holdOS starts bringing sig into the loop, if it is not already.
func (k *Kernel) holdOS(sig syscall.Signal) *osWatch {
	w := k.sigs.os[sig]
	if w == nil {
		w = &osWatch{ch: make(chan os.Signal, 64), done: make(chan struct{})}
		k.sigs.os[sig] = w
		signal.Notify(w.ch, sig)
		go k.forwardSignal(w.ch, w.done)
	}
	return w
}

// unwatchOS ends a session's watch of sig; the last one ends the bridge,
// unless sig is SIGCHLD and child processes are still watched.
func (k *Kernel) unwatchOS(sig syscall.Signal) {
	if w := k.sigs.os[sig]; w != nil && w.sessions > 0 {
		w.sessions--
		k.sigs.releaseOS(sig)
	}
}

// releaseOS ends the bridge of sig when nothing needs it any more: no
// session watches it, and, for SIGCHLD, no child process is watched.
func (t *signalTable) releaseOS(sig syscall.Signal) {
	w := t.os[sig]
	if w == nil || w.sessions > 0 || sig == syscall.SIGCHLD && len(t.pids) > 0 {
		return
	}
	delete(t.os, sig)
	signal.Stop(w.ch)
	close(w.done)
}

// forwardSignal is the goroutine of one watched signal: POE's signal pipe.
func (k *Kernel) forwardSignal(ch chan os.Signal, done chan struct{}) {
	for {
		select {
		case sig := <-ch:
			if sig == syscall.SIGCHLD {
				// As in POE, SIGCHLD only triggers reaping; each reaped
				// child becomes its own CHLD signal with pid and status.
				k.postItem(k.self, kindFunc, "", nil, k.reapChildren)
				continue
			}
			k.Signal(k.self, sigName[sig])
		case <-done:
			return
		}
	}
}

// stopAll ends every bridge: the kernel is closing.
func (t *signalTable) stopAll() {
	for sig, w := range t.os {
		delete(t.os, sig)
		signal.Stop(w.ch)
		close(w.done)
	}
}
