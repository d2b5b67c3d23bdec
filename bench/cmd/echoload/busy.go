package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// busyReader returns a read function for cn that never parks in the
// runtime's poller: it reads the descriptor without blocking, again and
// again, until octets, end of file or an error come, or until the
// deadline passes.
func busyReader(cn net.Conn, deadline time.Time) (func([]byte) (int, error), error) {
	sc, ok := cn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("busy polling: %T has no descriptor", cn)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("busy polling: %w", err)
	}
	return func(p []byte) (int, error) {
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			for i := 1; ; i++ {
				// RawSyscall: a read that cannot block needs none of the
				// scheduler's bookkeeping for a syscall.
				r, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
				if errno != syscall.EAGAIN && errno != syscall.EINTR {
					n = int(r)
					if errno != 0 {
						n, rerr = 0, errno
					}
					return true
				}
				if i%4096 == 0 && time.Now().After(deadline) {
					rerr = os.ErrDeadlineExceeded
					return true
				}
			}
		})
		switch {
		case err != nil:
			return 0, err
		case rerr != nil:
			return 0, rerr
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}, nil
}
