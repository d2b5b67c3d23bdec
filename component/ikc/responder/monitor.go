package responder

import (
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/kernel"
)

// Monitor event types (the keys of the map given to monitor).
const (
	MonitorRegister    = "register"    // ARG4: the peer's PID (nil with the legacy protocol)
	MonitorUnregister  = "unregister"  // no ARG4
	MonitorChannel     = "channel"     // ARG4 "ready" or "close", ARG5 the channel session's ID
	MonitorSubscribe   = "subscribe"   // ARG4: the spec hash of the new proxy
	MonitorUnsubscribe = "unsubscribe" // ARG4: the spec hash of the proxy that stopped
	MonitorShutdown    = "shutdown"    // ARG1 is "*"
	MonitorError       = "error"       // ARG4 the operation, ARG5 the message
)

// monitor is one watching session's interest in one name.
type monitor struct {
	session int               // watching session's ID
	events  map[string]string // event type -> state posted to the watcher
	data    any               // ARG3
	name    string            // ARG0: the name exactly as passed to monitor
}

// monitorKey turns what monitor was given into the name it watches: "*",
// a kernel name or alias, or the kernel part of a specifier.
func monitorKey(name string) string {
	if len(name) >= len(specifier.Scheme) && name[:len(specifier.Scheme)] == specifier.Scheme {
		if s, err := specifier.Parse(name); err == nil && s.Kernel != "" {
			return s.Kernel
		}
	}
	return name
}

// setMonitor registers (or, with no events, removes) session's monitor of
// name.
func (r *Responder) setMonitor(session *kernel.Session, name string, events map[string]string, data any) {
	key := monitorKey(name)
	list := r.monitors[key]
	for i, m := range list {
		if m.session == session.ID() {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(events) > 0 {
		ev := make(map[string]string, len(events))
		for k, v := range events {
			ev[k] = v
		}
		list = append(list, &monitor{session: session.ID(), events: ev, data: data, name: name})
	}
	if len(list) == 0 {
		delete(r.monitors, key)
		return
	}
	r.monitors[key] = list
}

// names is the fan-out list of a kernel name (spec 13.5): a registered
// remote ID (or the local kernel's ID once registered) and then each of its
// aliases in registration order; any other name alone.
func (r *Responder) names(name string) []string {
	if _, isID := r.channels[name]; isID {
		return append([]string{name}, r.aliases[name]...)
	}
	return []string{name}
}

// inform posts event to every monitor of name, of name's aliases and of
// "*", as Perl's inform_monitors does: ARG0 the watched name as given,
// ARG1 the name reported, ARG2 1 when it is a registered kernel ID (nil
// for an alias), ARG3 the monitor's data, then extra. Callbacks are posts.
// After shutdown nobody is informed, as in Perl once the IKC alias is gone.
func (r *Responder) inform(name, event string, extra ...any) int {
	if r.shut {
		return 0
	}
	n := 0
	_, registered := r.channels[name]
	for i, reported := range r.names(name) {
		var isID any
		if i == 0 && registered {
			isID = 1
		}
		n += r.informOne(reported, reported, isID, event, extra)
		if reported != "*" {
			n += r.informOne("*", reported, isID, event, extra)
		}
	}
	return n
}

func (r *Responder) informOne(key, reported string, isID any, event string, extra []any) int {
	n := 0
	list := r.monitors[key]
	for _, m := range append([]*monitor(nil), list...) {
		state := m.events[event]
		if state == "" {
			continue
		}
		args := append([]any{m.name, reported, isID, m.data}, extra...)
		if err := r.k.Post(m.session, state, args...); err != nil {
			r.dropMonitor(key, m)
			continue
		}
		n++
	}
	return n
}

// dropMonitor forgets a monitor whose session has gone.
func (r *Responder) dropMonitor(key string, gone *monitor) {
	list := r.monitors[key]
	for i, m := range list {
		if m == gone {
			r.monitors[key] = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(r.monitors[key]) == 0 {
		delete(r.monitors, key)
	}
}

// informError reports an error to the monitors of name: ARG4 the operation,
// ARG5 the message. Without any monitor for it the error is logged, as Perl
// warns.
func (r *Responder) informError(name, op, text string) {
	if r.inform(name, MonitorError, op, text) == 0 && !r.shut {
		r.warn("%s: %s", op, text)
	}
}

// stateInformMonitors is Perl's IKC/inform_monitors state: ARG0 the
// watched name (a kernel's name or ID, a "poe://kernel" specifier, or
// "*"), ARG1 the event, the rest its arguments, told to the monitors of
// that name and of "*".
func (r *Responder) stateInformMonitors(e *kernel.Event) any {
	name, _ := e.Arg(0).(string)
	event, _ := e.Arg(1).(string)
	if s, err := specifier.Parse(name); err == nil && s.Kernel != "" {
		name = s.Kernel // "*" does not parse, and stays
	}
	if name == "" || event == "" {
		r.warn("inform_monitors: no kernel or no event in %v", e.Args)
		return nil
	}
	return r.inform(name, event, e.Args[2:]...)
}
