package kernel

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// SigChild is POE's sig_child: when child process pid exits, the active
// session's state receives ARG0 "CHLD", ARG1 the pid, ARG2 the wait status
// (Perl's $?), then args; the watch then ends. A session has one watch per
// pid (watching it again replaces the first), and every session watching
// the pid hears of it. Watching keeps the session alive. An empty state
// stops watching (safe even if pid was never watched). The kernel reaps
// only the pids it watches, so os/exec users in the same program are not
// disturbed.
func (k *Kernel) SigChild(pid int, state string, args ...any) error {
	k.loopOnly("SigChild")
	s := k.GetActiveSession()
	if s.kernelSelf {
		return kerr("sig_child", pid, esrch)
	}
	if pid <= 0 {
		return kerr("sig_child", pid, einval)
	}
	if state == "" {
		if k.sigs.unwatchPid(pid, s) {
			k.markGC(s)
		}
		return nil
	}
	// Each session keeps its own watch: POE's table is pid -> session ->
	// event, so a second session watching the pid must not take the
	// first one's watch away.
	w := &pidWatch{s: s, state: state, args: append([]any(nil), args...)}
	ws := k.sigs.pids[pid]
	replaced := false
	for i, old := range ws {
		if old.s == s {
			ws[i], replaced = w, true
			break
		}
	}
	if !replaced {
		k.sigs.pids[pid] = append(ws, w)
		s.pids++
	}
	k.holdOS(syscall.SIGCHLD) // held by the pid table, not by a session
	// The child may have exited already. As POE does with its poll event,
	// look only after this handler returns, so that what it queues comes
	// before the child's events, and a second session may still watch it.
	k.enqueueInternal(k.self, kindFunc, k.reapChildren)
	return nil
}

// unwatchPid ends s's watch of pid and reports whether it had one.
func (t *signalTable) unwatchPid(pid int, s *Session) bool {
	ws := t.pids[pid]
	for i, w := range ws {
		if w.s != s {
			continue
		}
		if len(ws) == 1 {
			delete(t.pids, pid)
			t.releaseOS(syscall.SIGCHLD)
		} else {
			t.pids[pid] = append(ws[:i:i], ws[i+1:]...)
		}
		s.pids--
		return true
	}
	return false
}

// reapChildren waits, without blocking, for every watched pid.
func (k *Kernel) reapChildren() {
	for pid, ws := range k.sigs.pids {
		var wst unix.WaitStatus
		got, err := unix.Wait4(pid, &wst, unix.WNOHANG, nil)
		if got != pid && err != unix.ECHILD {
			continue
		}
		status := int(wst)
		if err == unix.ECHILD {
			status = -1 // reaped elsewhere; POE would never learn the status either
		}
		delete(k.sigs.pids, pid)
		for _, w := range ws {
			var it qitem
			it.prio, it.kind, it.dest, it.sender, it.state, it.hidx = k.postPrio(), kindEvent, w.s, k.self, w.state, -1
			it.setArgs(append([]any{"CHLD", pid, status}, w.args...))
			k.enqueue(&it)
			w.s.pids--
			k.markGC(w.s)
		}
		var sig qitem
		sig.prio, sig.kind, sig.dest, sig.sender, sig.state, sig.hidx = k.postPrio(), kindSignal, k.self, k.self, "CHLD", -1
		sig.setArgs([]any{pid, status})
		k.enqueue(&sig)
	}
	k.sigs.releaseOS(syscall.SIGCHLD)
}
