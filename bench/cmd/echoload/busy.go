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

// busyReader reads a connection without ever parking in the runtime's
// poller: it reads the descriptor without blocking, again and again,
// until octets, end of file or an error come, or until the deadline
// passes. Its callback to the raw connection is made once, so that a
// read allocates nothing.
type busyReader struct {
	rc       syscall.RawConn
	deadline time.Time
	readFD   func(fd uintptr) bool // b.spin, bound once

	// One read's buffer and outcome, for readFD.
	p   []byte
	n   int
	err error
}

func newBusyReader(cn net.Conn, deadline time.Time) (*busyReader, error) {
	sc, ok := cn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("busy polling: %T has no descriptor", cn)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("busy polling: %w", err)
	}
	b := &busyReader{rc: rc, deadline: deadline}
	b.readFD = b.spin
	return b, nil
}

// Read is io.Reader's Read, busily.
func (b *busyReader) Read(p []byte) (int, error) {
	b.p, b.n, b.err = p, 0, nil
	err := b.rc.Read(b.readFD)
	b.p = nil
	switch {
	case err != nil:
		return 0, err
	case b.err != nil:
		return 0, b.err
	case b.n == 0:
		return 0, io.EOF
	}
	return b.n, nil
}

// spin is the read loop on the descriptor; it returns true, as RawConn
// wants, once the read is done.
func (b *busyReader) spin(fd uintptr) bool {
	for i := 1; ; i++ {
		// RawSyscall: a read that cannot block needs none of the
		// scheduler's bookkeeping for a syscall.
		r, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b.p))), uintptr(len(b.p)))
		if errno != syscall.EAGAIN && errno != syscall.EINTR {
			if errno != 0 {
				b.err = errno
			} else {
				b.n = int(r)
			}
			return true
		}
		if i%4096 == 0 && time.Now().After(b.deadline) {
			b.err = os.ErrDeadlineExceeded
			return true
		}
	}
}
