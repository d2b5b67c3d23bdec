package responder

import (
	"fmt"
	"strings"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/specifier"
	"github.com/poe-go/poe/poe/kernel"
)

// receiptPrefix starts the state name a subscription's answer is posted to.
const receiptPrefix = "IKC:receipt "

// receiptTimeout is the IKC session's state fired when a receipt is late.
const receiptTimeout = "IKC:receipt-timeout"

// subscription is one subscribe request: its callback runs once every spec
// is answered, refused or timed out, with the specs that were accepted.
type subscription struct {
	k        *kernel.Kernel
	sender   int
	state    string
	fn       func(accepted []string)
	left     int
	accepted []string
}

// receipt waits for the answers to one spec's do_you_have: one answer,
// or one per connected kernel for "*".
type receipt struct {
	sub    *subscription
	spec   string // as the subscriber wrote it
	target specifier.Specifier
	chans  []Channel // channels that still owe an answer
	ok     bool
	alarm  kernel.AlarmID
	armed  bool
}

// subscribe runs IKC/subscribe for sender (spec 13.4). callback is a state
// name posted to sender, or a func([]string) called directly, or nil.
func (r *Responder) subscribe(sender *kernel.Session, specs []string, callback any) {
	sub := &subscription{k: r.k, left: len(specs)}
	if sender != nil {
		sub.sender = sender.ID()
	}
	switch cb := callback.(type) {
	case string:
		sub.state = cb
	case func([]string):
		sub.fn = cb
	}
	if len(specs) == 0 {
		// Nothing to answer, so no callback: Perl's IKC/subscribe
		// returns unless @$sessions.
		return
	}
	for _, spec := range specs {
		r.subscribeOne(sub, spec)
	}
}

func (sub *subscription) done(spec string, ok bool) {
	if ok {
		sub.accepted = append(sub.accepted, spec)
	}
	sub.left--
	if sub.left > 0 {
		return
	}
	accepted := append([]string{}, sub.accepted...)
	switch {
	case sub.fn != nil:
		sub.fn(accepted)
	case sub.state != "" && sub.sender != 0:
		sub.k.Post(sub.sender, sub.state, accepted)
	}
}

func (r *Responder) subscribeOne(sub *subscription, spec string) {
	target, err := specifier.Parse(spec)
	if err != nil || target.Session == "" {
		r.informError(specifier.Any, "subscribe", fmt.Sprintf("Bad subscription specifier '%s'", spec))
		sub.done(spec, false)
		return
	}
	if target.Kernel == "" || r.isLocal(target.Kernel) {
		name := target.Kernel
		if name == "" {
			name = r.localID
		}
		r.informError(name, "subscribe", "You can't subscribe to a session within the current kernel.")
		sub.done(spec, false)
		return
	}
	var chans []Channel
	for _, ch := range r.route(target.Kernel, nil) {
		if _, local := ch.(*localChannel); !local {
			chans = append(chans, ch)
		}
	}
	if len(chans) == 0 {
		// Perl sends do_you_have through send_msg, which reports the
		// unknown kernel first (resolve), then subscribe reports it;
		// both to the monitors of "*" only, as every refusal below.
		r.informError(specifier.Any, "resolve", fmt.Sprintf("%d: Unknown kernel '%s'.", r.pid, target.Kernel))
		r.informError(specifier.Any, "subscribe", "Unknown kernel "+target.Kernel)
		sub.done(spec, false)
		return
	}
	r.nreceipt++
	name := fmt.Sprintf("%s%d %s", receiptPrefix, r.nreceipt, spec)
	rc := &receipt{sub: sub, spec: spec, target: target}
	r.receipts[name] = rc
	if r.subscribeTimeout > 0 {
		if id, err := r.k.DelaySet(receiptTimeout, r.subscribeTimeout, name); err == nil {
			rc.alarm, rc.armed = id, true
		}
	}
	for _, ch := range chans {
		addr := message.AddressOf(target)
		if target.IsAny() {
			addr.Kernel = r.ids[ch]
		}
		m := message.DoYouHave(addr, r.localID, name)
		r.grant(Alias, name)
		if ch.Send(&m) {
			rc.chans = append(rc.chans, ch)
		} else {
			r.revoke(Alias, name)
		}
	}
	if len(rc.chans) == 0 {
		r.finishReceipt(name, rc)
	}
}

func (r *Responder) isLocal(name string) bool {
	if name == r.localID || name == r.k.Name() {
		return true
	}
	id, ok := r.kernels[name]
	return ok && id == r.localID
}

// receiptAnswer handles the answer to do_you_have posted to the receipt
// state name (through the request path, with the call permission the
// subscription granted).
func (r *Responder) receiptAnswer(name string, params any) {
	rc := r.receipts[name]
	if rc == nil {
		return
	}
	peer := r.curPeer
	if ch, ok := r.channels[peer]; ok {
		rc.forget(ch)
	}
	if p, ok := params.([]any); ok && len(p) == 2 {
		rid := scalarString(p[1])
		spec, err := specifier.FromValue(p[0])
		if err == nil && rid != "" && spec.Session != "" {
			kname := rc.target.Kernel
			if rc.target.IsAny() {
				kname = rid
			}
			r.createProxy(kname, rid, spec, rc.spec)
			rc.ok = true
		}
	} else {
		text := scalarString(params)
		if text == "" {
			text = "Refused subscription " + rc.spec
		}
		// Perl's _subscribe_receipt tells a refusal to the monitors of
		// "*" only (inform_monitors('*', ...)), not to those of the kernel.
		r.informError(specifier.Any, "subscribe", text)
	}
	if len(rc.chans) == 0 {
		r.finishReceipt(name, rc)
	}
}

func (rc *receipt) forget(ch Channel) bool {
	for i, c := range rc.chans {
		if c == ch {
			rc.chans = append(rc.chans[:i:i], rc.chans[i+1:]...)
			return true
		}
	}
	return false
}

func (r *Responder) finishReceipt(name string, rc *receipt) {
	delete(r.receipts, name)
	if rc.armed {
		r.k.AlarmRemove(rc.alarm)
	}
	for range rc.chans {
		r.revoke(Alias, name)
	}
	rc.chans = nil
	rc.sub.done(rc.spec, rc.ok)
}

// stateReceiptTimeout fires when a receipt is late: what has not answered
// counts as a refusal.
func (r *Responder) stateReceiptTimeout(e *kernel.Event) any {
	name, _ := e.Arg(0).(string)
	rc := r.receipts[name]
	if rc == nil {
		return nil
	}
	rc.armed = false
	r.informError(specifier.Any, "subscribe", "Refused subscription to "+rc.spec) // as Perl's, to "*"
	r.finishReceipt(name, rc)
	return nil
}

// refuseReceipts counts a lost channel's owed answers as refusals.
func (r *Responder) refuseReceipts(ch Channel) {
	for _, name := range sortedKeys(r.receipts) {
		rc := r.receipts[name]
		if !rc.forget(ch) {
			continue
		}
		r.revoke(Alias, name)
		r.informError(specifier.Any, "subscribe", "Connection closed before subscription "+rc.spec+" was answered")
		if len(rc.chans) == 0 {
			r.finishReceipt(name, rc)
		}
	}
}

// stateDoYouHave is IKC/do_you_have, always published: [spec, kernel ID]
// asks whether the session (and state, if named) is published here. The
// answer is [spec, this kernel's ID], with the spec's kernel filled in when
// it was empty, or "Refused subscription <spec>".
func (r *Responder) stateDoYouHave(e *kernel.Event) any {
	p, ok := e.Arg(0).([]any)
	if !ok || len(p) < 1 {
		return "Refused subscription " + describe(e.Arg(0))
	}
	spec, err := specifier.FromValue(p[0])
	if err != nil {
		return "Refused subscription " + describe(p[0])
	}
	pub := r.published[spec.Session]
	if len(pub) == 0 || (spec.State != "" && !pub[spec.State]) {
		return "Refused subscription " + spec.String()
	}
	if spec.Kernel == "" {
		spec.Kernel = r.localID
	}
	return []any{spec.Map(), r.localID}
}

// stateUnknown is the IKC session's _default: receipts arrive under their
// own state names; anything else is a misdirected event.
func (r *Responder) stateUnknown(e *kernel.Event) any {
	state, _ := e.Arg(0).(string)
	if strings.HasPrefix(state, receiptPrefix) {
		args, _ := e.Arg(1).([]any)
		var params any
		if len(args) > 0 {
			params = args[0]
		}
		r.receiptAnswer(state, params)
		return nil
	}
	if !strings.HasPrefix(state, "_") {
		r.warn("The IKC session has no state %q", state)
	}
	return nil
}
