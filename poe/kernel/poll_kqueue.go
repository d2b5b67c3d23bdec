//go:build darwin || freebsd

package kernel

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// kqueuePoller watches fds with kqueue and wakes through a pipe. kqueue
// filters are per direction, so read and write interests are added and
// deleted separately; expedite maps to EVFILT_READ with NOTE_OOB where the
// system offers it, and to plain readability otherwise.
type kqueuePoller struct {
	kq      int
	wakeR   int
	wakeW   int
	events  [256]unix.Kevent_t
	changes []unix.Kevent_t
	ready   map[int]interest
}

func newPoller() (poller, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, fmt.Errorf("kernel: kqueue: %w", err)
	}
	unix.CloseOnExec(kq)
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		unix.Close(kq)
		return nil, fmt.Errorf("kernel: wake pipe: %w", err)
	}
	for _, fd := range p {
		unix.SetNonblock(fd, true)
		unix.CloseOnExec(fd)
	}
	kp := &kqueuePoller{kq: kq, wakeR: p[0], wakeW: p[1], ready: map[int]interest{}}
	var ev unix.Kevent_t
	unix.SetKevent(&ev, p[0], unix.EVFILT_READ, unix.EV_ADD)
	if _, err := unix.Kevent(kq, []unix.Kevent_t{ev}, nil, nil); err != nil {
		kp.close()
		return nil, fmt.Errorf("kernel: kevent wake pipe: %w", err)
	}
	return kp, nil
}

func (p *kqueuePoller) set(fd int, old, want interest) error {
	p.changes = p.changes[:0]
	oldR, wantR := old&(interestRead|interestExpedite) != 0, want&(interestRead|interestExpedite) != 0
	oldW, wantW := old&interestWrite != 0, want&interestWrite != 0
	var ev unix.Kevent_t
	if oldR != wantR {
		flags := unix.EV_ADD
		if !wantR {
			flags = unix.EV_DELETE
		}
		unix.SetKevent(&ev, fd, unix.EVFILT_READ, flags)
		p.changes = append(p.changes, ev)
	}
	if oldW != wantW {
		flags := unix.EV_ADD
		if !wantW {
			flags = unix.EV_DELETE
		}
		unix.SetKevent(&ev, fd, unix.EVFILT_WRITE, flags)
		p.changes = append(p.changes, ev)
	}
	if len(p.changes) == 0 {
		return nil
	}
	if _, err := unix.Kevent(p.kq, p.changes, nil, nil); err != nil {
		if want == 0 && (err == unix.EBADF || err == unix.ENOENT) {
			return nil
		}
		return fmt.Errorf("kernel: kevent fd %d: %w", fd, err)
	}
	return nil
}

func (p *kqueuePoller) wait(timeout int64, ready func(int, interest)) (bool, error) {
	ts := unix.NsecToTimespec(timeout)
	n, err := unix.Kevent(p.kq, nil, p.events[:], &ts)
	if err != nil {
		if err == unix.EINTR {
			return false, nil
		}
		return false, fmt.Errorf("kernel: kevent wait: %w", err)
	}
	woken := false
	clear(p.ready)
	for i := 0; i < n; i++ {
		ev := &p.events[i]
		fd := int(ev.Ident)
		if fd == p.wakeR {
			var buf [64]byte
			for {
				if m, _ := unix.Read(p.wakeR, buf[:]); m <= 0 {
					break
				}
			}
			woken = true
			continue
		}
		switch ev.Filter {
		case unix.EVFILT_READ:
			p.ready[fd] |= interestRead | interestExpedite
		case unix.EVFILT_WRITE:
			p.ready[fd] |= interestWrite
		}
	}
	for fd, what := range p.ready {
		ready(fd, what)
	}
	return woken, nil
}

func (p *kqueuePoller) wake() error {
	_, err := unix.Write(p.wakeW, []byte{1})
	if err == unix.EAGAIN {
		return nil
	}
	return err
}

func (p *kqueuePoller) close() error {
	unix.Close(p.wakeR)
	unix.Close(p.wakeW)
	return unix.Close(p.kq)
}
