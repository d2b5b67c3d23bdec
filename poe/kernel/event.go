package kernel

// Handler is one state of a session: POE's coderef in inline_states. Its
// return value is what Call returns, what _start passes to the parent's
// _child create, and what _stop passes to _child lose.
type Handler func(e *Event) any

// States maps state names to handlers, as POE's inline_states.
type States map[string]Handler

// Event is what a handler receives: POE's @_ slots. It and its Args are
// valid only while the handler runs (POE clears the argument list after the
// handler returns); copy what you want to keep.
type Event struct {
	Kernel  *Kernel  // KERNEL
	Session *Session // SESSION
	Heap    any      // HEAP
	State   string   // STATE: the state being run (_default when redirected)
	Sender  *Session // SENDER: the session that caused the event, or the kernel's own session
	Args    []any    // ARG0, ARG1, ...

	CallerFile  string // CALLER_FILE, when the kernel records caller positions
	CallerLine  int    // CALLER_LINE
	CallerState string // CALLER_STATE: the event being handled when this one was sent (its own name in _default), "" from the kernel

	argv [6]any
}

// Arg returns ARGi, or nil when the event has fewer arguments.
func (e *Event) Arg(i int) any {
	if i < 0 || i >= len(e.Args) {
		return nil
	}
	return e.Args[i]
}

// ArgString returns ARGi as a string, or "" when it is not a string.
func (e *Event) ArgString(i int) string {
	s, _ := e.Arg(i).(string)
	return s
}

// ArgInt returns ARGi as an int when it holds a Go integer of a
// built-in type or a Mode (a select event's ARG1), else 0. Other named
// integer types (a syscall.Errno, say) give 0 too: convert them to int
// when posting. An int, the usual case, is tried first, with one
// comparison; the type switch that finds the others searches its cases
// and would cost an int a few nanoseconds more.
func (e *Event) ArgInt(i int) int {
	if uint(i) >= uint(len(e.Args)) {
		return 0
	}
	a := e.Args[i]
	if v, ok := a.(int); ok {
		return v
	}
	switch v := a.(type) {
	case int64:
		return int(v)
	case int32:
		return int(v)
	case uint:
		return int(v)
	case uint64:
		return int(v)
	case uint32:
		return int(v)
	case int16:
		return int(v)
	case int8:
		return int(v)
	case uint16:
		return int(v)
	case uint8:
		return int(v)
	case uintptr:
		return int(v)
	case Mode:
		return int(v)
	}
	return 0
}

// setSender fills the frame's SENDER and CALLER_STATE. A frame is reused
// at its depth, mostly for the same dispatch again: a field that holds
// its value already is left alone, which costs a comparison instead of a
// store behind the write barrier's check (Call 4% faster).
func (e *Event) setSender(sender *Session, callerState string) {
	if e.Sender != sender {
		e.Sender = sender
	}
	if !sameString(e.CallerState, callerState) {
		e.CallerState = callerState
	}
}

// setTarget fills the frame's SESSION, HEAP and STATE as setSender does.
func (e *Event) setTarget(s *Session, state string) {
	if e.Session != s {
		e.Session = s
	}
	if !sameIface(&e.Heap, &s.Heap) {
		e.Heap = s.Heap
	}
	if !sameString(e.State, state) {
		e.State = state
	}
}

// setArgs makes args the event's ARG list: copied into the frame's own
// array when they fit, so that the queue slot they came from may be reused
// while the handler runs.
func (e *Event) setArgs(args []any) {
	if len(args) <= len(e.argv) {
		// Element by element: cheaper than the runtime's bulk copy for
		// the few arguments events carry.
		for i, a := range args {
			e.argv[i] = a
		}
		e.Args = e.argv[:len(args):len(args)]
		return
	}
	e.Args = append([]any(nil), args...)
}

// clearArgs drops the ARG list and what it refers to.
func (e *Event) clearArgs() {
	switch a := e.Args; len(a) {
	case 0:
	case 1:
		a[0] = nil
	case 2:
		a[0], a[1] = nil, nil
	default:
		clear(a)
	}
	e.Args = nil
}

// reset drops what the event refers to, so a pooled Event holds nothing
// alive between dispatches.
func (e *Event) reset() {
	e.clearArgs()
	e.Session, e.Heap, e.Sender = nil, nil, nil
	e.State, e.CallerState, e.CallerFile = "", "", ""
}
