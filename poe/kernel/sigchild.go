package kernel

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// SigChild is POE's sig_child: when child process pid exits, the active
// session's state receives ARG0 "CHLD", ARG1 the pid, ARG2 the wait status
// (Perl's $?), then args; the watch then ends. Watching keeps the session
// alive. An empty state stops watching (safe even if pid was never
// watched). The kernel reaps only the pids it watches, so os/exec users in
// the same program are not disturbed.
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
		if w := k.sigs.pids[pid]; w != nil && w.s == s {
			delete(k.sigs.pids, pid)
			s.pids--
			k.markGC(s)
		}
		return nil
	}
	if w := k.sigs.pids[pid]; w != nil {
		w.s.pids--
		k.markGC(w.s)
	}
	k.sigs.pids[pid] = &pidWatch{s: s, state: state, args: append([]any(nil), args...)}
	s.pids++
	k.watchOS(syscall.SIGCHLD)
	k.sigs.osCount[syscall.SIGCHLD]-- // the pid table, not a session, holds this one
	k.sigs.osWatched--
	k.reapChildren() // it may have exited already
	return nil
}

// reapChildren waits, without blocking, for every watched pid.
func (k *Kernel) reapChildren() {
	for pid, w := range k.sigs.pids {
		var ws unix.WaitStatus
		got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		if got != pid && err != unix.ECHILD {
			continue
		}
		status := int(ws)
		if err == unix.ECHILD {
			status = -1 // reaped elsewhere; POE would never learn the status either
		}
		delete(k.sigs.pids, pid)
		var it qitem
		it.prio, it.kind, it.dest, it.sender, it.state, it.hidx = k.postPrio(), kindEvent, w.s, k.self, w.state, -1
		it.setArgs(append([]any{"CHLD", pid, status}, w.args...))
		k.enqueue(&it)
		w.s.pids--
		k.markGC(w.s)
		var sig qitem
		sig.prio, sig.kind, sig.dest, sig.sender, sig.state, sig.hidx = k.postPrio(), kindSignal, k.self, k.self, "CHLD", -1
		sig.setArgs([]any{pid, status})
		k.enqueue(&sig)
	}
}
