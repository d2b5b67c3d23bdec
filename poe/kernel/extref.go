package kernel

// RefcountIncrement is POE's refcount_increment: it counts one more
// reference under tag for the session (anything Post accepts as a
// destination) and returns the tag's new count. The first reference of a
// tag keeps the session alive and the kernel busy. ESRCH for an unknown
// session.
func (k *Kernel) RefcountIncrement(session any, tag string) (int, error) {
	k.loopOnly("RefcountIncrement")
	s := k.resolve(session)
	if s == nil || s.kernelSelf {
		return 0, kerr("refcount_increment", session, esrch)
	}
	if s.extrefs == nil {
		s.extrefs = map[string]int{}
	}
	if len(s.extrefs) == 0 {
		k.extrefCount++
	}
	s.extrefs[tag]++
	return s.extrefs[tag], nil
}

// RefcountDecrement is POE's refcount_decrement: at zero the tag is
// removed and no longer holds the session.
func (k *Kernel) RefcountDecrement(session any, tag string) (int, error) {
	k.loopOnly("RefcountDecrement")
	s := k.resolve(session)
	if s == nil || s.kernelSelf {
		return 0, kerr("refcount_decrement", session, esrch)
	}
	n, ok := s.extrefs[tag]
	if !ok {
		return 0, kerr("refcount_decrement", tag, esrch)
	}
	n--
	if n > 0 {
		s.extrefs[tag] = n
		return n, nil
	}
	delete(s.extrefs, tag)
	if len(s.extrefs) == 0 {
		k.extrefCount--
	}
	k.markGC(s)
	return 0, nil
}

// ExtraRefs returns how many extra-reference tags (RefcountIncrement) hold
// session s: POE's _data_extref_count_ses. IKC's responder uses it to know
// whether a handler kept a thunk. Loop-only.
func (s *Session) ExtraRefs() int {
	s.k.loopOnly("ExtraRefs")
	return len(s.extrefs)
}

// Postback is POE's $session->postback: a function that posts state to
// the session with ARG0 the creation arguments and ARG1 the call's
// arguments. It holds the session alive (an "anon_event" extra reference)
// until Release. Post and Release are safe from any goroutine.
type Postback struct {
	k        *Kernel
	s        *Session
	state    string
	args     []any
	call     bool
	released bool
}

const anonEvent = "anon_event"

// Postback creates a postback for state on s; see the Postback type.
func (s *Session) Postback(state string, args ...any) *Postback {
	s.k.RefcountIncrement(s, anonEvent)
	return &Postback{k: s.k, s: s, state: state, args: append([]any(nil), args...)}
}

// Callback is POE's $session->callback: like Postback, but Call runs the
// handler synchronously and returns its value, so it is for the loop only.
func (s *Session) Callback(state string, args ...any) *Postback {
	pb := s.Postback(state, args...)
	pb.call = true
	return pb
}

// Post posts the postback's event with ARG1 = args. From a Callback it
// calls instead and returns the handler's value.
func (pb *Postback) Post(args ...any) any {
	given := append([]any(nil), args...)
	if pb.call {
		ret, _ := pb.k.Call(pb.s, pb.state, pb.args, given)
		return ret
	}
	pb.k.Post(pb.s, pb.state, pb.args, given)
	return nil
}

// Release drops the postback's hold on its session, as destroying a Perl
// postback does. Releasing twice does nothing.
func (pb *Postback) Release() {
	if pb.released {
		return
	}
	pb.released = true
	pb.k.postItem(pb.k.self, kindFunc, "", nil, func() {
		pb.k.RefcountDecrement(pb.s, anonEvent)
	})
}
