// Package kernel is POE::Kernel and POE::Session in Go: an event loop that
// runs sessions, each a set of named states (handlers), on one goroutine.
//
// A Kernel dispatches events from one queue: posts and yields in FIFO
// order, alarms and delays by due time, signals, and the readiness of
// watched file descriptors (SelectRead, SelectWrite, SelectExpedite).
// Sessions are created with Create, which runs _start at once; they live
// while something refers to them (queued events, children, aliases,
// watched handles, extra references, watched child processes) and are
// stopped with _stop by the garbage collector when nothing does. When only
// aliases and signal watchers are left, the kernel signals IDLE and then
// ZOMBIE, which stops everyone, and Run returns. A panicking handler
// becomes a DIE signal; when nobody handles it every session is stopped and
// Run returns the panic as a *PanicError.
//
// Alarms and delays fire when they are due, as in POE's select loop with
// Time::HiRes: the loop never sleeps past the next due time (see
// WithSpin). How late one fires then depends on the handlers that run
// before it, and on the system's timer slack (on Linux, 50 µs by default,
// only when the loop blocks).
//
// Handlers receive an *Event carrying POE's @_ slots (KERNEL, SESSION,
// HEAP, STATE, SENDER, CALLER_STATE, ARG0...). Kernel methods keep POE's
// names: Post, Yield, Call, AliasSet, Delay, Sig, SigChild, and so on. A
// failed call returns an *Error carrying the errno POE leaves in $!.
//
// Only Post, Signal, Postback.Post and Postback.Release (and the accessors
// documented as goroutine-safe) may be used from other goroutines; every
// other method belongs to the loop goroutine.
//
// # Differences from POE
//
//   - Errors are returned, not left in $!. POE's undefined arguments are
//     Go's empty state names and zero times.
//   - Call returns one value; there is no list or scalar context.
//   - Run returns the unhandled exception instead of dying with it. A panic
//     in a DIE handler is chained to the original one through
//     PanicError.Previous, whose Error text holds both, as POE's message does.
//   - The DIE payload has one more key, "error", holding the *PanicError
//     with the stack. "file" and "line" are filled only with
//     WithCallerInfo, since finding them costs a stack walk per call.
//   - A Post or Signal from another goroutine has the kernel as SENDER, as
//     an event from outside every session does in POE; the loop tells its
//     own goroutine from others cheaply, so its posts skip the lock.
//   - Loop-only calls made from another goroutine panic while the loop is
//     between handlers; while a handler runs, a call from another
//     goroutine may be a synchronous hand-off and is left to the race
//     detector.
//   - SigChild reaps only the processes it watches, so os/exec in the same
//     program keeps working. CHLD signals are therefore sent only for
//     watched children, not for every child the process has; a child
//     reaped by someone else is reported with status -1.
//   - Operating-system signals arrive through os/signal. A signal nobody
//     watches keeps Go's default behaviour.
//   - Sessions that become collectable during the same sweep are stopped
//     in the order they became so; POE sweeps its marks in reverse. Parents
//     still stop after their children, since children hold their parents.
package kernel
