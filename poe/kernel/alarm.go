package kernel

import (
	"sort"
	"time"
)

// AlarmID identifies one alarm or delay: POE's alarm ID.
type AlarmID int64

// AlarmInfo is what AlarmRemove and AlarmRemoveAll return of an alarm:
// POE's [state, time, args].
type AlarmInfo struct {
	State string
	When  time.Time
	Args  []any
}

func (k *Kernel) newTimer() *qitem {
	if n := len(k.freeTimers); n > 0 {
		t := k.freeTimers[n-1]
		k.freeTimers = k.freeTimers[:n-1]
		return t
	}
	return &qitem{hidx: -1}
}

func (k *Kernel) freeTimer(t *qitem) {
	t.clearRefs()
	k.freeTimers = append(k.freeTimers, t)
}

// setAlarm queues state for the active session at prio.
func (k *Kernel) setAlarm(op, state string, prio int64, args []any, indexed bool) (AlarmID, error) {
	k.loopOnly(op)
	if state == "" {
		return 0, kerr(op, state, einval)
	}
	s := k.GetActiveSession()
	if s.kernelSelf {
		return 0, kerr(op, state, esrch)
	}
	t := k.newTimer()
	k.nextID++
	t.prio, t.id, t.kind, t.dest, t.sender, t.state, t.callerState = prio, k.nextID, kindEvent, s, s, state, k.GetActiveEvent()
	if k.callerInfo {
		t.callerFile, t.callerLine = callerPos()
	}
	t.setArgs(args)
	k.count(t)
	k.timers.push(t)
	if indexed {
		// Only AlarmSet and DelaySet hand out IDs, so only their alarms
		// need to be found by one. The ID stays the alarm's when a move
		// gives it another place in the queue (requeue).
		t.alarmID = t.id
		k.timerByID[t.id] = t
	}
	return AlarmID(t.id), nil
}

// removeNamed drops the active session's alarms for state (never its posts).
func (k *Kernel) removeNamed(s *Session, state string) {
	for _, t := range k.timersWhere(func(t *qitem) bool { return t.dest == s && t.state == state }) {
		k.dropTimer(t)
	}
}

// timersWhere lists the alarms that match, in due order, so that callers
// can remove them without walking a heap that reorders under them.
func (k *Kernel) timersWhere(match func(*qitem) bool) []*qitem {
	var out []*qitem
	k.timers.each(func(t *qitem) {
		if match(t) {
			out = append(out, t)
		}
	})
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func (k *Kernel) dropTimer(t *qitem) {
	k.timers.remove(t)
	if t.alarmID != 0 {
		delete(k.timerByID, t.alarmID)
	}
	k.uncount(t)
	k.freeTimer(t)
}

// Alarm is POE's alarm: it removes every pending alarm of the active
// session for state, then, unless when is the zero time, sets a new one.
func (k *Kernel) Alarm(state string, when time.Time, args ...any) error {
	k.loopOnly("Alarm")
	if state == "" {
		return kerr("alarm", state, einval)
	}
	k.removeNamed(k.GetActiveSession(), state)
	if when.IsZero() {
		return nil
	}
	_, err := k.setAlarm("alarm", state, k.prioOf(when), args, false)
	return err
}

// AlarmAdd is POE's alarm_add: one more alarm, none removed.
func (k *Kernel) AlarmAdd(state string, when time.Time, args ...any) error {
	if when.IsZero() {
		return kerr("alarm_add", state, einval)
	}
	_, err := k.setAlarm("alarm_add", state, k.prioOf(when), args, false)
	return err
}

// AlarmSet is POE's alarm_set: it adds an alarm and returns its ID.
func (k *Kernel) AlarmSet(state string, when time.Time, args ...any) (AlarmID, error) {
	if when.IsZero() {
		return 0, kerr("alarm_set", state, einval)
	}
	return k.setAlarm("alarm_set", state, k.prioOf(when), args, true)
}

// Delay is POE's delay: Alarm at now + d. A negative d only removes, as
// POE's one-argument delay(state) does.
func (k *Kernel) Delay(state string, d time.Duration, args ...any) error {
	k.loopOnly("Delay")
	if state == "" {
		return kerr("delay", state, einval)
	}
	k.removeNamed(k.GetActiveSession(), state)
	if d < 0 {
		return nil
	}
	_, err := k.setAlarm("delay", state, k.now()+int64(d), args, false)
	return err
}

// DelayAdd is POE's delay_add: one more delay, none removed.
func (k *Kernel) DelayAdd(state string, d time.Duration, args ...any) error {
	_, err := k.setAlarm("delay_add", state, k.now()+int64(d), args, false)
	return err
}

// DelaySet is POE's delay_set: it adds a delay and returns its ID.
func (k *Kernel) DelaySet(state string, d time.Duration, args ...any) (AlarmID, error) {
	return k.setAlarm("delay_set", state, k.now()+int64(d), args, true)
}

// ownTimer finds an alarm of the active session by ID: ESRCH when no
// alarm has it, EPERM when it is another session's, as POE's queue
// answers alarm_remove and alarm_adjust.
func (k *Kernel) ownTimer(op string, id AlarmID) (*qitem, error) {
	k.loopOnly(op)
	t := k.timerByID[int64(id)]
	switch {
	case t == nil:
		return nil, kerr(op, id, esrch)
	case t.dest != k.GetActiveSession():
		return nil, kerr(op, id, eperm)
	}
	return t, nil
}

// AlarmAdjust is POE's alarm_adjust: it moves an alarm by delta and
// returns its new due time. A moved alarm runs after the others due at
// the same time, as in POE. ESRCH when no alarm has the ID, EPERM when it
// is another session's.
func (k *Kernel) AlarmAdjust(id AlarmID, delta time.Duration) (time.Time, error) {
	t, err := k.ownTimer("alarm_adjust", id)
	if err != nil {
		return time.Time{}, err
	}
	if delta != 0 {
		k.requeue(t, t.prio+int64(delta))
	}
	return k.timeOf(t.prio), nil
}

// requeue moves alarm t to prio as POE's queue moves one: taken out and
// inserted again after every item due at the same time, as if set now.
// Perl POE 1.370's adjust_priority and set_priority splice the item out
// and insert it after its equals, so an alarm moved to the time of
// another one runs after it, whichever was set first. The queue orders
// equal times by queue ID, so the alarm takes a new one; the ID handed
// out (alarmID) stays.
func (k *Kernel) requeue(t *qitem, prio int64) {
	k.timers.remove(t)
	k.nextID++
	t.prio, t.id = prio, k.nextID
	k.timers.push(t)
}

// DelayAdjust is POE's delay_adjust: it re-arms an alarm at now + d and
// returns the new due time; ESRCH when the ID is not the session's alarm.
func (k *Kernel) DelayAdjust(id AlarmID, d time.Duration) (time.Time, error) {
	t, err := k.ownTimer("delay_adjust", id)
	if err != nil {
		// Perl's delay_adjust leaves $! alone for another session's
		// alarm; here it is ESRCH, as for no alarm at all.
		return time.Time{}, kerr("delay_adjust", id, esrch)
	}
	if prio := k.now() + int64(d); prio != t.prio {
		k.requeue(t, prio)
	}
	return k.timeOf(t.prio), nil
}

// AlarmRemove is POE's alarm_remove: it removes one alarm and returns what
// it was; ESRCH when no alarm has the ID, EPERM when it is another
// session's.
func (k *Kernel) AlarmRemove(id AlarmID) (AlarmInfo, error) {
	t, err := k.ownTimer("alarm_remove", id)
	if err != nil {
		return AlarmInfo{}, err
	}
	info := AlarmInfo{State: t.state, When: k.timeOf(t.prio), Args: append([]any(nil), t.args()...)}
	k.dropTimer(t)
	return info, nil
}

// AlarmRemoveAll is POE's alarm_remove_all: it removes every alarm of the
// active session and returns them.
func (k *Kernel) AlarmRemoveAll() []AlarmInfo {
	k.loopOnly("AlarmRemoveAll")
	s := k.GetActiveSession()
	var out []AlarmInfo
	for _, t := range k.timersWhere(func(t *qitem) bool { return t.dest == s }) {
		out = append(out, AlarmInfo{State: t.state, When: k.timeOf(t.prio), Args: append([]any(nil), t.args()...)})
		k.dropTimer(t)
	}
	return out
}
