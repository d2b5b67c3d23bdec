package driver

import (
	"syscall"
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

// capable is rawCapable, replaced by a test that counts its calls.
var capable = rawCapable

// rawCache remembers, for the last descriptor one direction of a driver
// used, whether it takes bare system calls. A driver keeps one per
// direction, since a ReadWrite may read one descriptor and write another
// (POE's STDIN and STDOUT), and one memory for both would ask again on
// every turn.
type rawCache struct {
	fd  int // the descriptor plus one; 0 before the first
	raw bool
}

// useRaw reports whether fd may take bare system calls, deciding once per
// descriptor.
func (c *rawCache) useRaw(fd int) bool {
	if c.fd != fd+1 {
		c.fd, c.raw = fd+1, capable(fd)
	}
	return c.raw
}

func (d *SysRW) read(fd int, p []byte) (int, error) {
	return call(&d.rawIn, unix.SYS_READ, fd, p, unix.Read)
}

func (d *SysRW) write(fd int, p []byte) (int, error) {
	return call(&d.rawOut, unix.SYS_WRITE, fd, p, unix.Write)
}

// call makes the read or write system call trap on fd with p: bare when
// c allows, else through the ordinary call. Under the race detector it
// always takes the ordinary call, which tells the detector what the
// system call read or wrote.
func call(c *rawCache, trap uintptr, fd int, p []byte, ordinary func(int, []byte) (int, error)) (int, error) {
	if len(p) == 0 || !c.useRaw(fd) || raceEnabled {
		return ordinary(fd, p)
	}
	// syscall's own RawSyscall6: unix.RawSyscall reaches it through an
	// assembly jump, an ABI wrapper and RawSyscall, about 15 ns a call.
	r, _, e := syscall.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}
