//go:build linux

package kernel

import (
	"encoding/binary"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// epollPoller watches fds with level-triggered epoll and wakes through an
// eventfd.
type epollPoller struct {
	epfd     int
	wakefd   int
	noPwait2 bool // epoll_pwait2 failed with ENOSYS or EPERM: use epoll_wait
	events   [256]unix.EpollEvent
}

func newPoller() (poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("kernel: epoll_create1: %w", err)
	}
	wfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("kernel: eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wfd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wfd)
		return nil, fmt.Errorf("kernel: epoll_ctl wake fd: %w", err)
	}
	return &epollPoller{epfd: epfd, wakefd: wfd}, nil
}

func epollBits(in interest) uint32 {
	var b uint32
	if in&interestRead != 0 {
		b |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if in&interestWrite != 0 {
		b |= unix.EPOLLOUT
	}
	if in&interestExpedite != 0 {
		b |= unix.EPOLLPRI
	}
	return b
}

func (p *epollPoller) set(fd int, old, want interest) error {
	ev := unix.EpollEvent{Events: epollBits(want), Fd: int32(fd)}
	var op int
	switch {
	case old == 0 && want == 0:
		return nil
	case old == 0:
		op = unix.EPOLL_CTL_ADD
	case want == 0:
		op = unix.EPOLL_CTL_DEL
	default:
		op = unix.EPOLL_CTL_MOD
	}
	if err := unix.EpollCtl(p.epfd, op, fd, &ev); err != nil {
		if op == unix.EPOLL_CTL_DEL && (err == unix.EBADF || err == unix.ENOENT) {
			return nil // the fd was closed under us: nothing left to forget
		}
		return fmt.Errorf("kernel: epoll_ctl fd %d: %w", fd, err)
	}
	return nil
}

func (p *epollPoller) wait(timeout int64, ready func(int, interest)) (bool, error) {
	var n int
	var err error
	if timeout == 0 {
		// A poll that cannot block needs none of the scheduler's
		// bookkeeping for a blocking system call: the loop's spin and
		// busy polls make it as bare as the runtime's own netpoll(0).
		// syscall.RawSyscall6 itself, not unix's, which reaches it
		// through an assembly jump and an ABI wrapper. The two last
		// arguments, epoll_pwait's, are no signal mask.
		r, _, e := syscall.RawSyscall6(sysEpollPoll, uintptr(p.epfd),
			uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)), 0, 0, 0)
		n = int(r)
		if e != 0 {
			n, err = 0, e
		}
	} else {
		n, err = p.block(timeout)
	}
	if err != nil {
		if err == unix.EINTR {
			return false, nil
		}
		return false, fmt.Errorf("kernel: epoll wait: %w", err)
	}
	woken := false
	for i := 0; i < n; i++ {
		ev := &p.events[i]
		fd := int(ev.Fd)
		if fd == p.wakefd {
			var buf [8]byte
			unix.Read(p.wakefd, buf[:])
			woken = true
			continue
		}
		var what interest
		if ev.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			what |= interestRead
		}
		if ev.Events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			what |= interestWrite
		}
		if ev.Events&unix.EPOLLPRI != 0 {
			what |= interestExpedite
		}
		ready(fd, what)
	}
	return woken, nil
}

// block waits up to timeout nanoseconds: with epoll_pwait2, whose timeout
// is a timespec, so that a timer due in 300 microseconds wakes the loop
// then and not a millisecond later; else, where the system lacks it
// (Linux before 5.11) or a sandbox forbids it, with epoll_wait and the
// timeout rounded up to whole milliseconds.
func (p *epollPoller) block(timeout int64) (int, error) {
	if !p.noPwait2 {
		ts := kernelTimespec{Sec: timeout / 1e9, Nsec: timeout % 1e9}
		r, _, e := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(p.epfd),
			uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)),
			uintptr(unsafe.Pointer(&ts)), 0, 0)
		switch e {
		case 0:
			return int(r), nil
		case unix.ENOSYS, unix.EPERM:
			p.noPwait2 = true
		default:
			return 0, e
		}
	}
	return unix.EpollWait(p.epfd, p.events[:], int((timeout+1e6-1)/1e6))
}

// kernelTimespec is the kernel's struct __kernel_timespec, 64-bit fields
// on every architecture (unix.Timespec has 32-bit ones on 386 and arm).
type kernelTimespec struct {
	Sec, Nsec int64
}

func (p *epollPoller) wake() error {
	var one [8]byte
	binary.LittleEndian.PutUint64(one[:], 1)
	_, err := unix.Write(p.wakefd, one[:])
	if err == unix.EAGAIN {
		return nil // the counter is already non-zero: a wake is pending
	}
	return err
}

func (p *epollPoller) close() error {
	unix.Close(p.wakefd)
	return unix.Close(p.epfd)
}
