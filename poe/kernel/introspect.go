package kernel

// Counts is a snapshot of the kernel's bookkeeping for one session: what
// POE's _data_ses_refcount, _data_ev_get_count_to, _data_ev_get_count_from,
// _data_alias_count_ses, _data_extref_count_ses and _data_handle_count_ses
// report. It exists for tests and debugging.
type Counts struct {
	Refcount   int // the reference count that keeps the session alive (POE-SEMANTICS 2.4)
	EventsTo   int // queued events addressed to the session, the kernel's own included
	EventsFrom int // queued events it sent to other sessions
	Aliases    int
	Extrefs    int // extra-reference tags with a non-zero count
	Handles    int // watched file handles, all modes of one handle counting once
	Pids       int // child processes watched with SigChild
	Children   int
}

// SessionCounts returns the bookkeeping of dest (anything Post accepts).
// The error is ESRCH when dest does not resolve. Loop-only.
func (k *Kernel) SessionCounts(dest any) (Counts, error) {
	k.loopOnly("SessionCounts")
	k.drainInbox() // posts count from the moment they are made
	s := k.resolve(dest)
	if s == nil {
		return Counts{}, kerr("session_counts", dest, esrch)
	}
	return Counts{
		Refcount:   s.refcount(),
		EventsTo:   s.eventsTo,
		EventsFrom: s.eventsFrom,
		Aliases:    len(s.aliasList),
		Extrefs:    len(s.extrefs),
		Handles:    s.handles,
		Pids:       s.pids,
		Children:   len(s.children),
	}, nil
}

// GetEventCount is POE's get_event_count: how many events, alarms and
// signals are queued, the kernel's own included. Loop-only.
func (k *Kernel) GetEventCount() int {
	k.loopOnly("GetEventCount")
	n := k.timers.len()
	k.ring.each(func(it *qitem) {
		if it.kind != kindDead {
			n++
		}
	})
	return n + int(k.inboxN.Load())
}
