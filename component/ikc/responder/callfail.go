package responder

import (
	"errors"
	"fmt"
	"time"

	"github.com/poe-go/poe/poe/kernel"
)

// Why a call got no answer. Perl IKC 0.2402 has neither: a caller whose
// peer goes away, or never answers, waits forever.
var (
	// ErrCallClosed: the connection to the called kernel closed before
	// the answer came.
	ErrCallClosed = errors.New("ikc: connection closed before the call was answered")
	// ErrCallTimeout: no answer came within the call's timeout.
	ErrCallTimeout = errors.New("ikc: call timed out")
)

// CallError is what a call's rsvp state receives, as ARG0 in place of the
// answer, when the call failed: its connection closed before the answer
// (Err is ErrCallClosed) or no answer came within its timeout (Err is
// ErrCallTimeout). Target is the called specifier and Kernel the ID of the
// kernel it was sent to. An rsvp handler tells a failure from an answer
// with errors.As or a type switch; monitors get error "call" as well.
type CallError struct {
	Target string
	Kernel string
	Err    error
}

func (e *CallError) Error() string {
	return fmt.Sprintf("call to %s (kernel %s): %v", e.Target, e.Kernel, e.Err)
}

func (e *CallError) Unwrap() error { return e.Err }

// callTimeoutState is the responder's timer state for per-call timeouts.
// Its colon keeps it out of reach of string specifiers.
const callTimeoutState = "IKC:call_timeout"

// WithCallTimeout sets the timeout of every call that does not give its
// own (CallTimeout, or IKC/call's ARG3): when no answer comes in time, the
// rsvp state gets a *CallError and a late answer is refused like any
// unpublished post. Zero or negative, the default, waits as long as the
// connection lasts.
func WithCallTimeout(d time.Duration) Option {
	return func(r *Responder) { r.callTimeout = d }
}

// CallTimeout is Call with a timeout of its own (zero or negative: none,
// not even the WithCallTimeout default).
func (r *Responder) CallTimeout(spec string, params any, rsvp string, d time.Duration) error {
	var err error
	ok := r.within(func(e *kernel.Event) {
		if d <= 0 {
			d = -1
		}
		err = r.callWithin(e.Sender, spec, params, rsvp, d)
	})
	if !ok {
		return ErrShutdown
	}
	return err
}

// armCallTimer starts the timeout of a pending call, if it has one; d is
// the call's own timeout (0 for the responder's default, <0 for none).
func (r *Responder) armCallTimer(pc *pendingCall, d time.Duration) {
	if d == 0 {
		d = r.callTimeout
	}
	if d <= 0 {
		return
	}
	if id, err := r.k.DelaySet(callTimeoutState, d, pc); err == nil {
		pc.alarm = id
	}
}

// disarmCallTimer stops the timeout of a call that is settled.
func (r *Responder) disarmCallTimer(pc *pendingCall) {
	if pc != nil && pc.alarm != 0 {
		r.k.AlarmRemove(pc.alarm)
		pc.alarm = 0
	}
}

// stateCallTimeout fails a call that got no answer in time.
func (r *Responder) stateCallTimeout(e *kernel.Event) any {
	pc, _ := e.Arg(0).(*pendingCall)
	if pc == nil {
		return nil
	}
	pc.alarm = 0
	for ch, pl := range r.pending {
		for _, p := range pl.calls {
			if p != pc {
				continue
			}
			r.removePending(ch, pc)
			r.revoke(pc.rsvp.Session, pc.rsvp.State)
			id := r.ids[ch]
			r.informError(id, "call", fmt.Sprintf("No answer from %s to %s within its timeout", id, pc.target.String()))
			r.failCall(pc, id, ErrCallTimeout)
			return nil
		}
	}
	return nil
}

// failCall posts a *CallError to the call's rsvp state, when that session
// still exists.
func (r *Responder) failCall(pc *pendingCall, kernelID string, why error) {
	dest := r.k.AliasResolve(pc.rsvp.Session)
	if dest == nil || dest.IsKernel() || !dest.Alive() {
		return
	}
	r.k.Post(dest, pc.rsvp.State, &CallError{Target: pc.target.String(), Kernel: kernelID, Err: why})
}

// callWithin is call with a timeout: d as for armCallTimer.
func (r *Responder) callWithin(sender *kernel.Session, target, params, rsvp any, d time.Duration) error {
	r.curCallTimeout = d
	defer func() { r.curCallTimeout = 0 }()
	return r.call(sender, target, params, rsvp)
}
