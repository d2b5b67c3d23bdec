package client

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

// Backoff is the reconnection policy of a Client (Options.Reconnect). Perl
// IKC's Client never reconnects, and neither does a Client without one.
//
// With a Backoff, Spawn returns a supervising session that keeps one
// connection up: after a failed attempt, or when the connection closes,
// it waits and connects again, each wait Factor times the previous one
// (from Initial up to Max, with ±20% jitter), and back to Initial after a
// success. Every new connection negotiates afresh, resubscribes to
// Options.Subscribe and runs OnConnect again; the monitors see unregister
// for the lost connection and register for the new one. It stops on
// IKC/shutdown, or after MaxAttempts failed attempts in a row.
//
// Every failure goes to OnError. Without OnError the monitors of "*" hear
// of failures as a plain Client's (error channel-<op> "[errno] text"), but
// only of the first failure of a run and of each one that differs from the
// one before, not of every attempt; and of the giving up, as
// channel-connect "[0] giving up after n failed attempts".
type Backoff struct {
	// Initial is the first wait; default 100 ms.
	Initial time.Duration
	// Max caps the wait; default 30 s.
	Max time.Duration
	// Factor multiplies the wait after each failure; default 2.
	Factor float64
	// MaxAttempts is how many failures in a row end the reconnecting; 0
	// means never give up.
	MaxAttempts int
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = 100 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	if b.Factor < 1 {
		b.Factor = 2
	}
	return b
}

// reconnector is the supervising session of a reconnecting Client.
type reconnector struct {
	opts     Options // with Reconnect nil: what each attempt spawns
	b        Backoff
	k        *kernel.Kernel
	wait     time.Duration
	failures int
	attempt  int // number of the current attempt
	channel  int // session ID of the live channel, 0 when none
	stopped  bool
	err      error
	alias    string
	told     failure // the failure the monitors last heard of in this run
}

func spawnReconnecting(k *kernel.Kernel, opts Options) (*kernel.Session, error) {
	if opts.Unix == "" && opts.Port <= 0 {
		return nil, errors.New("ikc client: a Port or a Unix path is required")
	}
	rc := &reconnector{b: opts.Reconnect.withDefaults(), k: k}
	opts.Reconnect = nil
	rc.opts = opts
	rc.wait = rc.b.Initial
	s := k.Create(kernel.Session{
		States: kernel.States{
			"_start":   rc.start,
			"attempt":  rc.try,
			"channel":  rc.channelEvent,
			"failed":   rc.failed,
			"shutdown": rc.shutdown,
		},
		Heap: rc,
	})
	if rc.err != nil {
		return nil, rc.err
	}
	return s, nil
}

func (rc *reconnector) start(e *kernel.Event) any {
	rc.alias = fmt.Sprintf("IKC Reconnect %s %d", rc.opts.Name, e.Session.ID())
	e.Kernel.AliasSet(rc.alias)
	responder.Spawn(e.Kernel).Monitor("*", map[string]string{
		responder.MonitorChannel:  "channel",
		responder.MonitorShutdown: "shutdown",
	}, nil)
	rc.try(e)
	return nil
}

// try spawns one connection attempt: a plain Client whose OnConnect and
// OnError report back here.
func (rc *reconnector) try(e *kernel.Event) any {
	if rc.stopped {
		return nil
	}
	rc.attempt++
	n := rc.attempt
	o := rc.opts
	o.OnConnect = func() {
		if s := rc.k.GetActiveSession(); s != nil {
			rc.channel = s.ID() // OnConnect runs in the channel session
		}
		rc.failures, rc.wait = 0, rc.b.Initial
		rc.told = failure{}
		if rc.opts.OnConnect != nil {
			rc.opts.OnConnect()
		}
	}
	o.OnError = func(op string, errno int, text string) {
		if rc.opts.OnError != nil {
			rc.opts.OnError(op, errno, text)
		} else if op != "subscribe" { // the channel tells the monitors of those
			rc.tell(op, errno, text, true)
		}
		if op != "subscribe" && n == rc.attempt && rc.channel == 0 {
			rc.attempt++ // this attempt is over: later errors of it change nothing
			rc.retry()
		}
	}
	if _, err := Spawn(e.Kernel, o); err != nil {
		if n == 1 {
			rc.err = err
			rc.stop(e.Kernel)
			return nil
		}
		rc.retry()
	}
	return nil
}

// retry has the supervisor schedule the next attempt. It may run in
// another session (OnError runs in the client's or the channel's), so
// the timer is set by the supervisor itself.
func (rc *reconnector) retry() {
	if !rc.stopped {
		rc.k.Post(rc.alias, "failed")
	}
}

// failed schedules the next attempt, or gives up after MaxAttempts.
func (rc *reconnector) failed(e *kernel.Event) any {
	if rc.stopped {
		return nil
	}
	rc.failures++
	if rc.b.MaxAttempts > 0 && rc.failures >= rc.b.MaxAttempts {
		text := fmt.Sprintf("giving up after %d failed attempts", rc.failures)
		if rc.opts.OnError != nil {
			rc.opts.OnError("connect", 0, text)
		} else {
			rc.tell("connect", 0, text, false)
		}
		rc.stop(e.Kernel)
		return nil
	}
	jitter := 0.8 + 0.4*rand.Float64()
	e.Kernel.Delay("attempt", time.Duration(float64(rc.wait)*jitter))
	rc.wait = min(time.Duration(float64(rc.wait)*rc.b.Factor), rc.b.Max)
	return nil
}

// channelEvent is the channel monitor: the live connection closed.
func (rc *reconnector) channelEvent(e *kernel.Event) any {
	if e.ArgString(4) != "close" || rc.channel == 0 || e.ArgInt(5) != rc.channel {
		return nil
	}
	rc.channel = 0
	rc.attempt++
	rc.failures, rc.wait = 0, rc.b.Initial
	return rc.failed(e)
}

// failure is a connection error as the monitors hear it.
type failure struct {
	op    string
	errno int
	text  string
}

// tell gives a failure to the monitors of "*", as a plain Client without
// OnError does; a Client retrying every few milliseconds would bury them
// in the same error, so when once is set a failure like the last one
// told is not told again until a connection succeeds.
func (rc *reconnector) tell(op string, errno int, text string, once bool) {
	if once {
		f := failure{op, errno, text}
		if f == rc.told {
			return
		}
		rc.told = f
	}
	tellMonitors(rc.k, op, errno, text)
}

func (rc *reconnector) shutdown(e *kernel.Event) any {
	rc.stop(e.Kernel)
	return nil
}

func (rc *reconnector) stop(k *kernel.Kernel) {
	rc.stopped = true
	k.Delay("attempt", -1)
	if r := responder.Get(k); r != nil {
		r.Monitor("*", nil, nil)
	}
	k.AliasRemove(rc.alias)
}
