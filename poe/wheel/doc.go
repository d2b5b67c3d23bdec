// Package wheel holds POE's wheels: objects that plug I/O into the session
// that creates them. A wheel adds private states to that session, watches
// its descriptors through the kernel, and delivers the user's events to the
// same session with the wheel's ID as the last ARG, exactly as POE::Wheel
// does.
//
//   - ReadWrite (POE::Wheel::ReadWrite) moves records through a driver and
//     filters on one descriptor or a pair.
//   - SocketFactory (POE::Wheel::SocketFactory) listens or connects without
//     blocking, over TCP (IPv4, IPv6) and unix-domain sockets.
//   - ListenAccept (POE::Wheel::ListenAccept) accepts on a socket that is
//     already listening.
//   - FollowTail (POE::Wheel::FollowTail) follows a growing file across
//     truncation and rotation.
//   - Run (POE::Wheel::Run) runs a child process with pipes on its stdin,
//     stdout and stderr.
//
// A wheel must be made inside a handler of the session that will own it,
// by passing the handler's *kernel.Event to its constructor. Every method
// belongs to the loop goroutine.
//
// Go has no destructors, so Close is POE's "delete the wheel": it removes
// the wheel's watchers, timers and private states, frees its ID and closes
// the descriptors it owns. Call it from a handler of the owning session
// (typically in the ErrorEvent handler or in _stop); a wheel left open when
// its session stops keeps its descriptors open. Close from another
// session's handler is accepted and completed in the owner on its next
// dispatch.
package wheel
