// Package responder is POE::Component::IKC::Responder: the session aliased
// "IKC" in every kernel that speaks IKC. It owns the routing tables (remote
// kernels and their aliases, published states, one-shot call permissions,
// subscriptions and proxy sessions, monitors) and runs every record a
// channel receives.
//
// # Using it
//
// Programs talk to it the Perl way, by posting to the "IKC" session:
//
//	k.Post("IKC", "publish", "echo", []string{"echo"})
//	k.Post("IKC", "post", "poe://Server/echo/echo", "hi")
//	k.Post("IKC", "call", "poe://Server/echo/echo", "hi", "poe:callback")
//	k.Post("IKC", "subscribe", []string{"poe://Server/echo"}, "subscribed")
//	k.Post("IKC", "monitor", "*", map[string]string{"register": "up", "unregister": "down"})
//
// The states are post, call, post2, raw_message, publish, retract,
// published, subscribe, unsubscribe, monitor, default, ping, do_you_have,
// remote_error and shutdown. Perl array references are []string or []any,
// hash references map[string]string or map[string]any. The same operations
// exist as typed methods (Post, Call, Publish, Subscribe, Monitor,
// Shutdown, ...), which act exactly like the posts but synchronously, with
// Go errors.
//
// Only published states can be reached from another kernel (plus, once,
// the state a call named for its answer); the responder's own remote_error,
// do_you_have and ping are always published. A record names a session and a
// state, never code: nothing a peer sends can run anything else.
//
// A handler run for a remote kernel has a thunk session as SENDER: posting
// an event to it sends the event and its arguments back to the session the
// request came from (when that session had a published alias). A handler
// that keeps its SENDER (RefcountIncrement on it) keeps that thunk; the next
// request gets a new one.
//
// # The seam with channels
//
// Channel sessions (package channel) and Server and Client use typed calls,
// all on the loop goroutine:
//
//   - Spawn(k) creates the responder once per kernel (Get finds it);
//   - RegisterChannel(ch) when a connection starts negotiating;
//   - Register(ch, remoteID, aliases, pid) when negotiation is done (false
//     when remoteID is already connected: the channel should close);
//   - Request(ch, record) for every record thawed from the peer;
//   - ChannelError(ch, op, errno, text) for socket and wheel errors;
//   - Unregister(ch) when the connection has gone;
//   - RegisterLocal(names) for the local kernel pseudo-channel, through
//     which posts to the kernel's own names are run at once, synchronously.
//
// The responder calls Channel's Send, Shutdown and Session.
//
// # Monitors
//
// Monitor callbacks are posts with ARG0 the watched name as given, ARG1 the
// kernel name reported, ARG2 1 when ARG1 is a registered kernel ID (nil for
// an alias), ARG3 the monitor's data, then: register the peer's PID; channel
// "ready" or "close" and the channel session's ID; subscribe and
// unsubscribe the spec hash; error the operation and the message. An event
// about a kernel goes to that kernel's ID and then to each alias, each time
// to its own monitors and to "*" monitors. A connection reports register
// then channel ready; a disconnection error channel-read, channel close,
// then unregister. Error operations are local-<phase> and remote-<phase>
// (request, check, resolve, invocation), channel-<op>, subscribe, resolve,
// and call (a call whose connection closed, or whose timeout passed, before
// its answer came).
//
// # Differences from Perl IKC
//
//   - Nothing dies: a bad target or rsvp specifier, a subscription to the
//     local kernel, a malformed record are warnings, monitor errors or
//     returned errors; the responder keeps running.
//   - Subscribing to "poe://*/S" asks every connected kernel except the
//     local one, and makes one proxy per kernel that has S (aliased
//     "poe://<kernel ID>/S"); the spec counts as accepted when one did. In
//     Perl the local kernel's refusal made such a subscription fail.
//   - A second connection from a kernel ID that is already registered is
//     refused (Register returns false) and its later close changes nothing;
//     Perl let it tear down the first connection's registration.
//   - With "*" every channel fills its own kernel name into the rsvp (Perl
//     shared one record, so the first channel's name stuck), and a channel
//     that is already closed does not count as reached.
//   - A call whose connection closes before the answer, or that gets no
//     answer within its timeout (WithCallTimeout, CallTimeout, or IKC/call's
//     optional ARG3 time.Duration), is reported (monitor error "call"), its
//     answer permission is taken back and its rsvp state gets a *CallError
//     as ARG0 (ErrCallClosed or ErrCallTimeout) instead of the answer; Perl
//     leaves such a caller waiting forever. A subscription
//     whose connection closes counts as refused at once instead of after the
//     timeout, which is configurable (WithSubscribeTimeout).
//   - A record that cannot be routed (bad event, bad proxied params,
//     unusable hash) is a request-phase error answered with a remote_error.
//   - IKC can be started again after shutdown: a later Spawn makes a new
//     responder. The local pseudo-channel has no session of its own.
//   - Go handlers return one value: for a ClientLite call in list context a
//     []any result is the list and anything else a one-element list.
package responder
