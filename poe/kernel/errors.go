package kernel

import (
	"fmt"
	"syscall"
)

// Error is a failed kernel call, carrying the errno POE would have left in
// $! (ESRCH for an unknown session, EEXIST for an alias owned by another
// session, EPERM, EINVAL). errors.Is(err, syscall.ESRCH) works on it.
type Error struct {
	Op    string        // the kernel call, e.g. "post", "alias_set"
	Arg   any           // what it was called with that failed
	Errno syscall.Errno // POE's $!
}

func (e *Error) Error() string {
	return fmt.Sprintf("kernel: %s %v: %v", e.Op, e.Arg, e.Errno)
}

// Unwrap returns the errno, so errors.Is matches syscall.ESRCH and friends.
func (e *Error) Unwrap() error { return e.Errno }

func kerr(op string, arg any, errno syscall.Errno) error {
	return &Error{Op: op, Arg: arg, Errno: errno}
}

// PanicError is the DIE signal's error: a handler panicked. It is what Run
// returns when no session handled the DIE signal, as POE's run() dies with
// the exception text.
type PanicError struct {
	Session  int    // ID of the session whose handler panicked
	State    string // the state that was being handled
	Value    any    // what the handler panicked with
	Stack    []byte // the goroutine stack at the panic
	Previous error  // an earlier unhandled exception, when this one was thrown while handling it
}

func (e *PanicError) Error() string {
	msg := fmt.Sprintf("session %d state %q panicked: %v", e.Session, e.State, e.Value)
	if e.Previous != nil {
		return e.Previous.Error() + "\nAdditional error thrown in handler for previous error:\n" + msg
	}
	return msg
}

// Unwrap returns the panic value when it was an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}
