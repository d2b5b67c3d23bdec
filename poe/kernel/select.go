package kernel

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Mode is the readiness a select watcher waits for: POE's ARG1 of a select
// event (0 read, 1 write, 2 expedite).
type Mode int

// The select modes.
const (
	ModeRead Mode = iota
	ModeWrite
	ModeExpedite
)

var modeInterest = [3]interest{interestRead, interestWrite, interestExpedite}

type watcher struct {
	s      *Session
	state  string
	args   []any
	paused bool
}

// fdWatch is every watcher of one file descriptor.
type fdWatch struct {
	fd    int
	fdBox any // the fd boxed once, so dispatch does not allocate
	w     [3]*watcher
	in    interest // what the poller is told
}

type readyFd struct {
	fd   int
	what interest
}

func (fw *fdWatch) want() interest {
	var in interest
	for m, w := range fw.w {
		if w != nil && !w.paused {
			in |= modeInterest[m]
		}
	}
	return in
}

// empty reports whether no session watches the descriptor any more.
func (fw *fdWatch) empty() bool { return fw.w == [3]*watcher{} }

func (fw *fdWatch) watches(s *Session) bool {
	for _, w := range fw.w {
		if w != nil && w.s == s {
			return true
		}
	}
	return false
}

func (k *Kernel) sync(fw *fdWatch) error {
	want := fw.want()
	if want == fw.in {
		return nil
	}
	err := k.poller.set(fw.fd, fw.in, want)
	if err == nil {
		fw.in = want
	}
	return err
}

// selectMode adds, resumes or removes (state "") one watcher, as POE's
// select_read, select_write and select_expedite.
func (k *Kernel) selectMode(op string, fd int, m Mode, state string, args []any) error {
	k.loopOnly(op)
	s := k.GetActiveSession()
	if s.kernelSelf {
		return kerr(op, fd, esrch)
	}
	if fd < 0 {
		return kerr(op, fd, einval)
	}
	fw := k.fds[fd]
	if state == "" {
		if fw == nil || fw.w[m] == nil || fw.w[m].s != s {
			return nil
		}
		fw.w[m] = nil
		if !fw.watches(s) {
			k.handleGone(s)
		}
		if err := k.sync(fw); err != nil {
			return &Error{Op: op, Arg: fd, Errno: errnoOf(err)}
		}
		if fw.in == 0 && fw.empty() {
			delete(k.fds, fd)
		}
		return nil
	}
	if fw == nil {
		if err := unix.SetNonblock(fd, true); err != nil {
			return &Error{Op: op, Arg: fd, Errno: errnoOf(err)}
		}
		fw = &fdWatch{fd: fd, fdBox: fd}
		k.fds[fd] = fw
	}
	if w := fw.w[m]; w != nil {
		if w.s != s {
			return kerr(op, fd, eexist)
		}
		w.paused = false // re-registering only resumes (POE-SEMANTICS 8)
		return k.sync(fw)
	}
	if !fw.watches(s) {
		s.handles++
		k.handleRefs++
	}
	fw.w[m] = &watcher{s: s, state: state, args: append([]any(nil), args...)}
	if err := k.sync(fw); err != nil {
		// The poller refused the descriptor (epoll a regular file):
		// a kernel.Error as from every other failed call, and no
		// entry left behind for a descriptor nothing watches.
		fw.w[m] = nil
		if !fw.watches(s) {
			k.handleGone(s)
		}
		if fw.in == 0 && fw.empty() {
			delete(k.fds, fd)
		}
		return &Error{Op: op, Arg: fd, Errno: errnoOf(err)}
	}
	return nil
}

// errnoOf is the errno in err, which the poller wraps; EINVAL when there
// is none.
func errnoOf(err error) unix.Errno {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return einval
}

func (k *Kernel) handleGone(s *Session) {
	s.handles--
	k.handleRefs--
	k.markGC(s)
}

// SelectRead is POE's select_read: the active session's state is called
// with ARG0 the fd and ARG1 ModeRead whenever fd is readable (level
// triggered). An empty state stops watching. The fd is made nonblocking.
func (k *Kernel) SelectRead(fd int, state string, args ...any) error {
	return k.selectMode("select_read", fd, ModeRead, state, args)
}

// SelectWrite is POE's select_write, for writability.
func (k *Kernel) SelectWrite(fd int, state string, args ...any) error {
	return k.selectMode("select_write", fd, ModeWrite, state, args)
}

// SelectExpedite is POE's select_expedite, for out-of-band data.
func (k *Kernel) SelectExpedite(fd int, state string, args ...any) error {
	return k.selectMode("select_expedite", fd, ModeExpedite, state, args)
}

// pause suspends or resumes one watcher without releasing it.
func (k *Kernel) pause(op string, fd int, m Mode, paused bool) bool {
	k.loopOnly(op)
	fw := k.fds[fd]
	if fw == nil || fw.w[m] == nil {
		return false
	}
	fw.w[m].paused = paused
	return k.sync(fw) == nil
}

// SelectPauseRead is POE's select_pause_read: the read watcher stays (and
// keeps its session alive) but is not called. False if fd is not watched.
func (k *Kernel) SelectPauseRead(fd int) bool {
	return k.pause("select_pause_read", fd, ModeRead, true)
}

// SelectResumeRead is POE's select_resume_read.
func (k *Kernel) SelectResumeRead(fd int) bool {
	return k.pause("select_resume_read", fd, ModeRead, false)
}

// SelectPauseWrite is POE's select_pause_write.
func (k *Kernel) SelectPauseWrite(fd int) bool {
	return k.pause("select_pause_write", fd, ModeWrite, true)
}

// SelectResumeWrite is POE's select_resume_write.
func (k *Kernel) SelectResumeWrite(fd int) bool {
	return k.pause("select_resume_write", fd, ModeWrite, false)
}

// releaseHandles drops every watcher a stopping session owns.
func (k *Kernel) releaseHandles(s *Session) {
	if s.handles == 0 {
		return
	}
	for fd, fw := range k.fds {
		if !fw.watches(s) {
			continue
		}
		for m, w := range fw.w {
			if w != nil && w.s == s {
				fw.w[m] = nil
			}
		}
		k.handleGone(s)
		k.sync(fw)
		if fw.empty() {
			delete(k.fds, fd)
		}
	}
}

// poll waits for I/O and dispatches it as POE's step 4: the read watchers
// of every ready fd, then the write watchers, then expedite. It reports
// whether anything happened.
func (k *Kernel) poll(timeout int64) bool {
	k.readyBuf = k.readyBuf[:0]
	woken, err := k.poller.wait(timeout, k.collectFn)
	if err != nil {
		k.logf("%v", err)
	}
	if len(k.readyBuf) == 0 {
		return woken
	}
	for m := ModeRead; m <= ModeExpedite; m++ {
		for _, r := range k.readyBuf {
			if r.what&modeInterest[m] == 0 {
				continue
			}
			fw := k.fds[r.fd]
			if fw == nil {
				continue
			}
			w := fw.w[m]
			if w == nil || w.paused {
				continue
			}
			k.dispatchSelect(fw, w, m)
		}
	}
	return true
}

func (k *Kernel) collect(fd int, what interest) {
	k.readyBuf = append(k.readyBuf, readyFd{fd, what})
}

func (k *Kernel) dispatchSelect(fw *fdWatch, w *watcher, m Mode) {
	e := k.frame()
	e.setSender(w.s, k.GetActiveEvent())
	k.setCaller(e, "", 0) // an fd's readiness comes from no line
	if 2+len(w.args) <= len(e.argv) {
		e.argv[0], e.argv[1] = fw.fdBox, m
		copy(e.argv[2:], w.args)
		e.Args = e.argv[: 2+len(w.args) : 2+len(w.args)]
	} else {
		e.Args = append([]any{fw.fdBox, m}, w.args...)
	}
	k.deliver(w.s, w.state, e, false)
}
