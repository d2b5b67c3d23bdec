package differential_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/t/poe/poetest"
)

// interp runs one program in a Go kernel, the way testdata/run.pl runs it
// in POE: see program for the rules both follow.
type interp struct {
	prog     *program
	k        *kernel.Kernel
	trace    []string
	registry []*kernel.Session
	alarms   []kernel.AlarmID
	alarmOff []int // each alarm's offset in ms from when it was set (see alarm_adjust)
	created  int
	sweep    int // how many handlers of sweepStates are running
}

type heap struct {
	name     string
	n        int
	stopping bool // its _stop has begun
	held     []held
}

// held is an extra reference a session took (refinc) whose __rel has not
// been handled yet.
type held struct {
	s   *kernel.Session
	tag string
}

// errTimeout is returned when a program's kernel does not finish.
var errTimeout = errors.New("the kernel was still running after the time limit")

// runGo runs p and returns its trace, failing with errTimeout after
// poetest.Limit.
func runGo(p *program) ([]string, error) {
	k, err := kernel.New(kernel.WithLogger(log.New(io.Discard, "", 0)))
	if err != nil {
		return nil, err
	}
	in := &interp{prog: p, k: k}
	for _, r := range p.Roots {
		in.spawn(r.Type, r.N, r.Lab)
	}
	done := make(chan error, 1)
	go func() { done <- k.Run() }()
	select {
	case err = <-done:
	case <-time.After(poetest.Limit):
		// The kernel's goroutine is left behind: the test fails anyway.
		return in.trace, errTimeout
	}
	k.Close()
	return in.trace, err
}

func (in *interp) spawn(typ string, n int, lab string) *kernel.Session {
	states := kernel.States{"__rel": in.handler(typ, "__rel")}
	for name := range in.prog.Types[typ].States {
		states[name] = in.handler(typ, name)
	}
	return in.k.Create(kernel.Session{States: states, Args: []any{n, lab}, Heap: &heap{}})
}

func (in *interp) norm(v any) string {
	switch v := v.(type) {
	case nil:
		return "undef"
	case *kernel.Session:
		if v == nil {
			return "undef"
		}
		if v.IsKernel() {
			return "kernel"
		}
		if h, ok := v.Heap.(*heap); ok && h.name != "" {
			return h.name
		}
		return "unnamed"
	case []any:
		return "[" + in.normArgs(v) + "]"
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	}
	return fmt.Sprint(v)
}

func (in *interp) normArgs(args []any) string {
	parts := make([]string, len(args))
	for i, x := range args {
		parts[i] = in.norm(x)
	}
	return strings.Join(parts, " ")
}

// errName is the name of err's errno, as the Perl side prints $!. The
// kernel's calls fail with EPERM, ESRCH, EEXIST or EINVAL only, the
// errnos run.pl names; any other would be named here and numbered there.
func errName(err error) string {
	var ke *kernel.Error
	if !errors.As(err, &ke) {
		return "error(" + err.Error() + ")"
	}
	if name := unix.ErrnoName(ke.Errno); name != "" {
		return name
	}
	return fmt.Sprintf("errno%d", int(ke.Errno))
}

// budget is run.pl's budget: an event's first number argument, or for
// POE's own events one less than what the session had left.
func budget(h *heap, state string, args []any) int {
	switch state {
	case "_stop", "_child", "_parent", "_default":
		h.n--
		return h.n
	}
	for _, a := range args {
		if n, ok := a.(int); ok {
			return n
		}
	}
	return 0
}

func (in *interp) handler(typ, state string) kernel.Handler {
	return func(e *kernel.Event) any {
		now := time.Now() // once a handler: the alarms' now
		h := e.Heap.(*heap)
		k := e.Kernel
		if state == "_start" {
			h.name = fmt.Sprintf("%s.%d", typ, in.created)
			in.created++
			h.n = e.ArgInt(0)
			in.registry = append(in.registry, e.Session)
		}
		switch state {
		case "__rel":
			// The holder gives the extra reference back as soon as it
			// hears of it.
			tag := e.ArgString(0)
			n, err := k.RefcountDecrement(e.Session, tag)
			res := strconv.Itoa(n)
			if err != nil {
				res = errName(err)
			}
			in.trace = append(in.trace, fmt.Sprintf("%s __rel <- %s %s = %s", h.name, in.norm(e.Sender), tag, res))
			if sh, ok := e.Sender.Heap.(*heap); ok {
				for i, x := range sh.held {
					if x.s == e.Session && x.tag == tag {
						sh.held = append(sh.held[:i], sh.held[i+1:]...)
						break
					}
				}
			}
			return nil
		}
		h.stopping = h.stopping || state == "_stop"
		in.trace = append(in.trace, fmt.Sprintf("%s %s <- %s: %s", h.name, state, in.norm(e.Sender), in.normArgs(e.Args)))
		def := in.prog.Types[typ].States[state]
		n := budget(h, state, e.Args)
		if sweepStates[state] {
			in.sweep++
			defer func() { in.sweep-- }()
		}
		sender := e.Sender
		for _, a := range def.Do {
			in.act(h, state, a, n, sender, now)
		}
		if state == "_stop" {
			in.release(h)
		}
		return def.Ret
	}
}

// release gives back, at the end of h's _stop, the references h took
// from other sessions whose __rel is still queued: a signal that stops a
// session (KILL, UIDESTROY) drops the events it sent, and the program
// would never end.
func (in *interp) release(h *heap) {
	list := h.held
	h.held = nil // the __rel handler must not strike them off again
	for _, x := range list {
		if x.s != in.k.GetActiveSession() {
			in.k.Call(x.s, "__rel", x.tag)
		}
	}
}

// target resolves t as run.pl's target does: a destination for the
// kernel's calls and its name in the trace.
func (in *interp) target(t *target, sender *kernel.Session) (any, string) {
	switch t.K {
	case "self":
		return in.k.GetActiveSession(), "self"
	case "sender":
		return sender, in.norm(sender)
	case "alias":
		return t.A, "alias:" + t.A
	case "kernel":
		return in.k.Session(), "kernel"
	case "parent":
		p := in.k.GetActiveSession().Parent()
		return p, "parent:" + in.norm(p)
	case "child":
		// The newest child first.
		kids := in.k.GetActiveSession().Children()
		if t.I >= len(kids) {
			return nil, "child" + strconv.Itoa(t.I) + ":none"
		}
		c := kids[len(kids)-1-t.I]
		return c, "child:" + in.norm(c)
	case "ref":
		name := "ref" + strconv.Itoa(t.I)
		if t.I >= len(in.registry) {
			return nil, name
		}
		return in.registry[t.I], name
	}
	panic("unknown target kind " + t.K)
}

// sends are the actions that spend the budget.
var sends = map[string]bool{
	"post": true, "yield": true, "call": true, "delay_set": true, "delay": true, "create": true, "signal": true,
	"alarm": true, "alarm_add": true, "alarm_set": true, "delay_add": true,
}

// secs is n whole seconds.
func secs(n int) time.Duration { return time.Duration(n) * time.Second }

// pastAlarm is the due time of the alarm family (alarm, alarm_add,
// alarm_set): off seconds and a half before the handler's now, half a
// second off the whole seconds of the delays, so that no alarm of one
// handler's now ties with a delay of the clock's.
func pastAlarm(now time.Time, off int) time.Time {
	return now.Add(-secs(off) - 500*time.Millisecond)
}

func (in *interp) act(h *heap, state string, a action, n int, sender *kernel.Session, now time.Time) {
	k := in.k
	line := func(parts ...string) {
		in.trace = append(in.trace, strings.TrimRight("  "+h.name+" "+a.Op+" "+strings.Join(parts, " "), " "))
	}
	result := func(err error) string {
		if err != nil {
			return errName(err)
		}
		return "ok"
	}
	// sent is the result of send, or ESRCH when dest names no session, as
	// run.pl traces it.
	sent := func(dest any, send func() error) string {
		if dest == nil {
			return "ESRCH"
		}
		return result(send())
	}
	// alarm finds the alarm a names (a.I, the latest first): its index in
	// in.alarms and its name in the trace. When the program has set fewer,
	// it traces "none" and ok is false.
	alarm := func() (i int, idx string, ok bool) {
		i = len(in.alarms) - 1 - a.I
		if i < 0 {
			line("#"+strconv.Itoa(a.I), "=", "none")
			return 0, "", false
		}
		return i, "#" + strconv.Itoa(i), true
	}
	if sends[a.Op] && n <= 0 {
		line("skipped")
		return
	}
	if in.sweep > 0 {
		// See sweepStates.
		other := false
		if a.To != nil {
			dest, _ := in.target(a.To, sender)
			s, ok := dest.(*kernel.Session)
			other = !ok || s != k.GetActiveSession()
		}
		if other || (a.Op == "create" && state != "_stop") {
			line("skipped in sweep")
			return
		}
	}
	m := n - 1
	switch a.Op {
	case "post":
		dest, dn := in.target(a.To, sender)
		line(dn, a.Ev, "=", sent(dest, func() error { return k.Post(dest, a.Ev, m, a.Lab) }))
	case "yield":
		k.Yield(a.Ev, m, a.Lab)
		line(a.Ev)
	case "call":
		dest, dn := in.target(a.To, sender)
		ret := "ESRCH"
		if dest != nil {
			r, err := k.Call(dest, a.Ev, m, a.Lab)
			ret = in.norm(r)
			if err != nil {
				ret = errName(err)
			}
		}
		line(dn, a.Ev, "=", ret)
	case "delay_set":
		id, err := k.DelaySet(a.Ev, -secs(a.Off), m, a.Lab)
		if err != nil {
			line(a.Ev, "-"+strconv.Itoa(a.Off), "=", errName(err))
			return
		}
		in.alarms = append(in.alarms, id)
		in.alarmOff = append(in.alarmOff, -1000*a.Off)
		line(a.Ev, "-"+strconv.Itoa(a.Off), "=", "#"+strconv.Itoa(len(in.alarms)-1))
	case "delay_add":
		line(a.Ev, "-"+strconv.Itoa(a.Off), "=", result(k.DelayAdd(a.Ev, -secs(a.Off), m, a.Lab)))
	case "alarm":
		line(a.Ev, "-"+strconv.Itoa(a.Off)+".5", "=", result(k.Alarm(a.Ev, pastAlarm(now, a.Off), m, a.Lab)))
	case "alarm_add":
		line(a.Ev, "-"+strconv.Itoa(a.Off)+".5", "=", result(k.AlarmAdd(a.Ev, pastAlarm(now, a.Off), m, a.Lab)))
	case "alarm_set":
		id, err := k.AlarmSet(a.Ev, pastAlarm(now, a.Off), m, a.Lab)
		if err != nil {
			line(a.Ev, "-"+strconv.Itoa(a.Off)+".5", "=", errName(err))
			return
		}
		in.alarms = append(in.alarms, id)
		in.alarmOff = append(in.alarmOff, -1000*a.Off-500)
		line(a.Ev, "-"+strconv.Itoa(a.Off)+".5", "=", "#"+strconv.Itoa(len(in.alarms)-1))
	case "alarm_clear":
		line(a.Ev, "=", result(k.Alarm(a.Ev, time.Time{})))
	case "alarm_adjust", "delay_adjust":
		i, idx, ok := alarm()
		if !ok {
			return
		}
		off, by := in.alarmOff[i]+1000*a.D, a.D
		if a.Op == "delay_adjust" {
			off, by = -1000*a.Off, -a.Off
		}
		if off > -500 {
			// An alarm moved into the future would make the program wait.
			line(idx, strconv.Itoa(by), "=", "future")
			return
		}
		var err error
		if a.Op == "alarm_adjust" {
			_, err = k.AlarmAdjust(in.alarms[i], secs(by))
		} else {
			_, err = k.DelayAdjust(in.alarms[i], secs(by))
		}
		switch {
		case err == nil:
			in.alarmOff[i] = off
			line(idx, strconv.Itoa(by), "=", "ok")
		case a.Op == "delay_adjust":
			// Perl's delay_adjust leaves $! as it was when it fails.
			line(idx, strconv.Itoa(by), "=", "fail")
		default:
			line(idx, strconv.Itoa(by), "=", errName(err))
		}
	case "alarm_remove_all":
		parts := []string{"="}
		for _, info := range k.AlarmRemoveAll() {
			parts = append(parts, info.State, in.norm(info.Args))
		}
		line(parts...)
	case "detach_child":
		dest, dn := in.target(a.To, sender)
		line(dn, "=", sent(dest, func() error { return k.DetachChild(dest) }))
	case "delay":
		line(a.Ev, "=", result(k.Delay(a.Ev, 0, m, a.Lab)))
	case "alarm_remove":
		i, idx, ok := alarm()
		if !ok {
			return
		}
		info, err := k.AlarmRemove(in.alarms[i])
		if err != nil {
			line(idx, "=", errName(err))
			return
		}
		line(idx, "=", "ok", info.State, in.norm(info.Args))
	case "alias_set":
		line(a.Name, "=", result(k.AliasSet(a.Name)))
	case "alias_remove":
		line(a.Name, "=", result(k.AliasRemove(a.Name)))
	case "create":
		if h.stopping && in.prog.NoStopCreate {
			line(a.Type, "=", "skipped")
			return
		}
		if in.created >= maxSessions {
			line(a.Type, "=", "too many")
			return
		}
		s := in.spawn(a.Type, m, a.Lab)
		line(a.Type, "=", in.norm(s))
	case "refinc":
		dest, dn := in.target(a.To, sender)
		// RefcountIncrement resolves aliases itself; run.pl resolves
		// them first, as Perl's refcount_increment takes an ID.
		if name, ok := dest.(string); ok {
			dest = k.AliasResolve(name)
		}
		s, _ := dest.(*kernel.Session)
		if s != nil && s.IsKernel() {
			line(dn, a.Tag, "=", "kernel")
			return
		}
		if s == nil {
			line(dn, a.Tag, "=", "ESRCH")
			return
		}
		if h.stopping && s != k.GetActiveSession() {
			// The __rel posted from a stopping session would be dropped
			// with its events, and the reference never given back.
			line(dn, a.Tag, "=", "skipped")
			return
		}
		c, err := k.RefcountIncrement(s, a.Tag)
		if err != nil {
			line(dn, a.Tag, "=", errName(err))
			return
		}
		line(dn, a.Tag, "=", strconv.Itoa(c))
		k.Post(s, "__rel", a.Tag)
		h.held = append(h.held, held{s, a.Tag})
	case "detach":
		line("=", result(k.DetachMyself()))
	case "sig":
		switch {
		case a.Ev == "":
			k.Sig(a.Name, "")
		case a.Extra != nil:
			k.Sig(a.Name, a.Ev, *a.Extra)
		default:
			k.Sig(a.Name, a.Ev)
		}
		line(a.Name, a.Ev)
	case "sighandled":
		k.SigHandled()
		line()
	case "signal":
		dest, dn := in.target(a.To, sender)
		if s, ok := dest.(*kernel.Session); ok && s.IsKernel() && killsKernel(a.Name) {
			// See killsKernel.
			line(dn, a.Name, "=", "skipped")
			return
		}
		line(dn, a.Name, "=", sent(dest, func() error { return k.Signal(dest, a.Name, m, a.Lab) }))
	default:
		panic("unknown op " + a.Op)
	}
}
