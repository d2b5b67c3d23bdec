package wheel

import (
	"errors"
	"fmt"
	"sync"
	"syscall"

	"github.com/poe-go/poe/poe/kernel"
)

// Driver is the part of POE::Driver a wheel uses. *driver.SysRW implements
// it; a wheel given no driver makes a driver.NewSysRW(0).
type Driver interface {
	// Get reads one block: data, (nil, nil) when it would block, io.EOF
	// at end of file, or an error.
	Get(fd int) ([]byte, error)
	// Put queues chunks for output and returns the octets queued.
	Put(chunks ...[]byte) int
	// PutFunc queues one message that fn appends to the output buffer,
	// and returns the octets queued, when fn fails too.
	PutFunc(fn func(dst []byte) ([]byte, error)) (int, error)
	// Flush writes what the descriptor accepts and returns the octets
	// still queued.
	Flush(fd int) (int, error)
	// GetOutOctets is the number of octets queued.
	GetOutOctets() int
	// GetOutMessages is the number of messages queued.
	GetOutMessages() int
}

// ErrNotInHandler is returned by a wheel constructor called without the
// Event of a running handler: POE wheels must be made inside a session.
var ErrNotInHandler = errors.New("wheel: must be created inside a handler of its session")

// OpError is a wheel's failure as POE reports it to ErrorEvent or
// FailureEvent: ARG0 Op, ARG1 Errno, ARG2 the text. It is what a wheel's
// LastError returns, so errors.Is(err, syscall.ECONNRESET) and errors.As
// work on it. End of file is an OpError with Op "read" and Errno 0.
type OpError struct {
	Wheel  int           // the wheel's ID
	Op     string        // POE's operation: "read", "write", "connect", "accept", "bind", ...
	Handle string        // Run's handle name ("STDIN", "STDOUT", "STDERR"), else ""
	Errno  syscall.Errno // the system error; 0 for end of file or a filter error
	Err    error         // the underlying error (a filter's, a resolver's), if any
}

// Error reads like "wheel 3: read: connection reset by peer".
func (e *OpError) Error() string {
	return fmt.Sprintf("wheel %d: %s: %s", e.Wheel, e.Op, e.Text())
}

// Text is POE's ARG2, the error text: the errno's text, the underlying
// error's, or "" at end of file.
func (e *OpError) Text() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	if e.Errno == 0 {
		return ""
	}
	return e.Errno.Error()
}

// EOF reports whether the error is the end of input.
func (e *OpError) EOF() bool { return e.Op == "read" && e.Errno == 0 && e.Err == nil }

// Unwrap returns the underlying error, or the errno.
func (e *OpError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// ids is POE::Wheel's process-wide ID counter: IDs increase and skip the
// ones still in use.
var ids struct {
	sync.Mutex
	next  int
	inUse map[int]bool
}

// AllocateID is POE::Wheel::allocate_wheel_id: the next wheel ID not in use.
// Wheels call it themselves; it is exported for user-written wheels, which
// give the ID back with FreeID.
func AllocateID() int {
	ids.Lock()
	defer ids.Unlock()
	if ids.inUse == nil {
		ids.inUse = map[int]bool{}
	}
	for {
		ids.next++
		if ids.next <= 0 {
			ids.next = 1
		}
		if !ids.inUse[ids.next] {
			ids.inUse[ids.next] = true
			return ids.next
		}
	}
}

// FreeID is POE::Wheel::free_wheel_id: the ID may be used again once the
// counter comes back to it.
func FreeID(id int) {
	ids.Lock()
	delete(ids.inUse, id)
	ids.Unlock()
}

// base is what every wheel has: its kernel, owning session, ID and
// private states.
type base struct {
	k      *kernel.Kernel
	s      *kernel.Session
	kind   string
	id     int
	idBox  any // the ID boxed once, so events carry it without allocating
	states []string
	closed bool
	last   *OpError

	stClose string // the private state that completes a Close made elsewhere
	closeFn func()
}

func (b *base) init(e *kernel.Event, kind string) error {
	if e == nil || e.Kernel == nil || e.Session == nil || e.Kernel.GetActiveSession() != e.Session {
		return ErrNotInHandler
	}
	b.k, b.s, b.kind = e.Kernel, e.Session, kind
	b.id = AllocateID()
	b.idBox = b.id
	b.stClose = b.state("close", b.onClose)
	return nil
}

func (b *base) onClose(*kernel.Event) any {
	if fn := b.closeFn; fn != nil {
		b.closeFn = nil
		fn()
		b.release()
	}
	return nil
}

// state adds a private state named as POE names them,
// "POE::Wheel::Kind(id) -> what".
func (b *base) state(what string, h kernel.Handler) string {
	name := fmt.Sprintf("POE::Wheel::%s(%d) -> %s", b.kind, b.id, what)
	b.k.State(name, h)
	b.states = append(b.states, name)
	return name
}

// owner reports whether the owning session is the active one, so that
// kernel calls made now act on it.
func (b *base) owner() bool { return b.k.GetActiveSession() == b.s }

// closeVia runs fn now when the owner is active or already stopped, and
// otherwise posts it to the owner through a private state, because the
// kernel's select and state calls act on the active session.
func (b *base) closeVia(fn func()) {
	if b.closed {
		return
	}
	b.closed = true
	if b.owner() || !b.s.Alive() {
		fn()
		b.release()
		return
	}
	b.closeFn = fn
	if err := b.k.Post(b.s, b.stClose); err != nil {
		b.closeFn = nil
		fn()
		b.release()
	}
}

// release removes the private states and frees the ID.
func (b *base) release() {
	if b.owner() {
		for _, n := range b.states {
			b.k.State(n, nil)
		}
	}
	b.states = nil
	FreeID(b.id)
}

// fail records err as the last error and delivers it to event as POE's
// (operation, errno, text, ...extra, wheel ID).
func (b *base) fail(event string, err *OpError, extra ...any) {
	err.Wheel = b.id
	b.last = err
	if event == "" {
		return
	}
	args := make([]any, 0, 5)
	args = append(args, err.Op, int(err.Errno), err.Text(), b.idBox)
	args = append(args, extra...)
	b.k.Call(b.s, event, args...)
}

// ID is the wheel's unique ID (POE's ID method).
func (b *base) ID() int { return b.id }

// LastError returns the error most recently reported to the wheel's
// ErrorEvent or FailureEvent, as an *OpError, or nil. Inside that event's
// handler it is the error being reported.
func (b *base) LastError() error {
	if b.last == nil {
		return nil
	}
	return b.last
}

// errnoOf extracts the errno an error carries, or EIO.
func errnoOf(err error) syscall.Errno {
	var en syscall.Errno
	if errors.As(err, &en) {
		return en
	}
	return syscall.EIO
}

// eventParam is one event a wheel's Event method renames: its parameter
// name, the wheel's field that holds it, and whether it may not be
// emptied (POE ignores an undef for the events a wheel cannot do
// without).
type eventParam struct {
	name     string
	state    *string
	required bool
}

// renameEvents is POE's event method for every wheel: pairs of parameter
// name and state, each set in turn. An odd count, an unknown name or an
// empty state for a required event is an error; the pairs before it stay
// set.
func renameEvents(wheel string, pairs []string, params ...eventParam) error {
	if len(pairs)%2 != 0 {
		return errors.New("wheel." + wheel + ": Event takes name, state pairs")
	}
next:
	for i := 0; i < len(pairs); i += 2 {
		name, state := pairs[i], pairs[i+1]
		for _, p := range params {
			if p.name != name {
				continue
			}
			if p.required && state == "" {
				return errors.New("wheel." + wheel + ": " + name + " requires an event name")
			}
			*p.state = state
			continue next
		}
		return fmt.Errorf("wheel.%s: unknown event parameter %q", wheel, name)
	}
	return nil
}
