package driver

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// OpError is a failed read or write on a descriptor: what POE's ReadWrite
// wheel reports as ErrorEvent with ARG0 the operation and ARG1 the errno.
// End of file is not an OpError; Get returns io.EOF for it.
type OpError struct {
	// Op is "read" or "write", as in POE's ErrorEvent ARG0.
	Op string
	// Fd is the descriptor the operation was made on.
	Fd int
	// Errno is the system error, POE's ARG1 (numeric) and ARG2 (text).
	Errno unix.Errno
}

// Error reports the operation, the descriptor and the system error text.
func (e *OpError) Error() string {
	return "driver.SysRW: " + e.Op + " fd " + strconv.Itoa(e.Fd) + ": " + e.Errno.Error()
}

// Unwrap returns the errno, so errors.Is(err, unix.EBADF) works.
func (e *OpError) Unwrap() error { return e.Errno }
