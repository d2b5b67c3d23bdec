package driver

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// A read or write on a descriptor in nonblocking mode returns at once, so
// it needs none of the scheduler's bookkeeping around a system call that
// may block (handing the thread's processor to other goroutines and taking
// it back): on a loopback echo that bookkeeping is a tenth of the loop's
// time. The driver makes bare system calls on sockets, pipes and
// terminals that are nonblocking when it first sees them (which the
// kernel's select calls ensure), and ordinary ones on anything else: a
// regular file ignores O_NONBLOCK, and a read of it may wait for the disk.

// rawCapable reports whether fd is a nonblocking socket, pipe or
// character device.
func rawCapable(fd int) bool {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK == 0 {
		return false
	}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return false
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFSOCK, unix.S_IFIFO, unix.S_IFCHR:
		return true
	}
	return false
}

// useRaw reports whether fd may take bare system calls, deciding once per
// descriptor.
func (d *SysRW) useRaw(fd int) bool {
	if d.rawFd != fd+1 {
		d.rawFd, d.raw = fd+1, rawCapable(fd)
	}
	return d.raw
}

func (d *SysRW) read(fd int, p []byte) (int, error) {
	return d.call(unix.SYS_READ, fd, p, unix.Read)
}

func (d *SysRW) write(fd int, p []byte) (int, error) {
	return d.call(unix.SYS_WRITE, fd, p, unix.Write)
}

// call makes the read or write system call trap on fd with p: bare when
// useRaw allows, else through the ordinary call.
func (d *SysRW) call(trap uintptr, fd int, p []byte, ordinary func(int, []byte) (int, error)) (int, error) {
	if len(p) == 0 || !d.useRaw(fd) {
		return ordinary(fd, p)
	}
	r, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}
