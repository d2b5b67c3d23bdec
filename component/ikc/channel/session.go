package channel

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// DefaultNegotiationTimeout is how long a connection may take to finish
// negotiating before it is closed. Perl IKC waits forever.
const DefaultNegotiationTimeout = 30 * time.Second

// Config is what a channel session needs: the connected socket and the
// options Server and Client pass down (POE::Component::IKC::Channel->spawn).
type Config struct {
	// Handle is the connected socket. The channel owns it from now on and
	// closes it when the connection ends.
	Handle int
	// Role is ServerRole for an accepted connection, ClientRole for one
	// the Client made.
	Role Role
	// Protocol is the dialogue to start with (IKC0 when empty).
	Protocol Protocol
	// Name and Aliases are the local kernel's names (spec 3.2).
	Name    string
	Aliases []string
	// TransportName is the name derived from the socket (spec 3.2 item 3).
	TransportName string
	// SanityAlias is the local name for the peer (spec 3.3).
	SanityAlias string
	// Serializers are the usable serializer names in order of preference.
	Serializers []string
	// Subscribe are specifiers to subscribe to before OnConnect (Client).
	Subscribe []string
	// OnConnect runs in the channel session once the connection is
	// negotiated and every subscription is answered.
	OnConnect func()
	// OnError receives errors that happen before the peer is registered
	// (operation, errno, text); afterwards they go to the IKC monitors.
	OnError func(op string, errno int, text string)
	// NegotiationTimeout bounds the negotiation (DefaultNegotiationTimeout
	// when zero; negative disables it).
	NegotiationTimeout time.Duration
	// MaxFrame bounds one received frame (filter.DefaultMaxFrame when zero).
	MaxFrame int
	// MaxLineLength bounds one negotiation line.
	MaxLineLength int
	// MaxDepth and MaxItems bound the nesting and the number of values of
	// one thawed record (DefaultMaxDepth and DefaultMaxItems when zero).
	MaxDepth, MaxItems int
	// MaxOutput is the output high-water mark in octets: a peer that lets
	// more pile up is dropped (DefaultMaxOutput when zero).
	MaxOutput int
	// Secret, when set, makes the connection prove after the dialogue that
	// both ends know it (see auth.go); Go peers only.
	Secret []byte
}

// conn is one channel session: POE::Component::IKC::Channel. It implements
// responder.Channel.
type conn struct {
	cfg     Config
	k       *kernel.Kernel
	s       *kernel.Session
	r       *responder.Responder
	rw      *wheel.ReadWrite
	neg     *Negotiation
	result  Result
	framed  bool // negotiation done: records, not lines
	reg     bool // registered with the responder
	closing bool
	closed  bool
	auth    *auth // the shared-secret exchange, when Secret is set
}

// Spawn creates a channel session for a connected socket, as a child of
// the active session. It is called by Server and Client; a program that
// accepted or connected a socket itself may call it too.
func Spawn(k *kernel.Kernel, cfg Config) *kernel.Session {
	if cfg.Protocol == "" {
		cfg.Protocol = IKC0
	}
	if cfg.NegotiationTimeout == 0 {
		cfg.NegotiationTimeout = DefaultNegotiationTimeout
	}
	return k.Create(kernel.Session{States: channelStates, Heap: &conn{cfg: cfg, k: k}})
}

// channelStates are every channel's states, shared: each handler finds its
// connection in the heap, so a connection costs no closures of its own.
var channelStates = kernel.States{
	"_start":   func(e *kernel.Event) any { return e.Heap.(*conn).start(e) },
	"_stop":    func(e *kernel.Event) any { return e.Heap.(*conn).stop(e) },
	"input":    func(e *kernel.Event) any { return e.Heap.(*conn).input(e) },
	"error":    func(e *kernel.Event) any { return e.Heap.(*conn).wheelError(e) },
	"flushed":  func(e *kernel.Event) any { return e.Heap.(*conn).flushed(e) },
	"timeout":  func(e *kernel.Event) any { return e.Heap.(*conn).timeout(e) },
	"done":     func(e *kernel.Event) any { return e.Heap.(*conn).done(e) },
	"shutdown": func(e *kernel.Event) any { e.Heap.(*conn).Shutdown(); return nil },
	"close":    func(e *kernel.Event) any { e.Heap.(*conn).close(); return nil },
}

func (c *conn) start(e *kernel.Event) any {
	c.s = e.Session
	c.r = responder.Spawn(c.k)
	neg, err := NewNegotiation(Options{
		Role:          c.cfg.Role,
		Protocol:      c.cfg.Protocol,
		KernelID:      c.k.ID(),
		Name:          c.cfg.Name,
		Aliases:       c.cfg.Aliases,
		TransportName: c.cfg.TransportName,
		SanityAlias:   c.cfg.SanityAlias,
		Serializers:   c.cfg.Serializers,
		MaxLineLength: c.cfg.MaxLineLength,
		PID:           os.Getpid(),
	})
	if err != nil {
		c.fail("setup", 0, err.Error())
		closeFd(c.cfg.Handle)
		return nil
	}
	c.neg = neg
	e.Kernel.AliasSet(fmt.Sprintf("Channel %d", e.Session.ID()))
	rw, err := wheel.NewReadWrite(e, wheel.ReadWriteOptions{
		Handle:       c.cfg.Handle,
		Filter:       filter.NewLine(filter.LineOptions{MaxLength: lineLimit(c.cfg.MaxLineLength)}),
		InputEvent:   "input",
		ErrorEvent:   "error",
		FlushedEvent: "flushed",
	})
	if err != nil {
		c.fail("setup", 0, err.Error())
		closeFd(c.cfg.Handle)
		return nil
	}
	c.rw = rw
	c.r.RegisterChannel(c)
	if c.cfg.NegotiationTimeout > 0 {
		e.Kernel.Delay("timeout", c.cfg.NegotiationTimeout)
	}
	c.sendLines(neg.Start())
	return nil
}

func lineLimit(n int) int {
	if n <= 0 {
		return DefaultMaxLineLength
	}
	return n
}

// sendLines writes negotiation lines, each with its CR LF in one write.
func (c *conn) sendLines(lines []string) {
	for _, l := range lines {
		c.rw.Put(l) // Filter::Line appends CR LF to each record
	}
}

// input is the wheel's InputEvent: a negotiation line, then records.
func (c *conn) input(e *kernel.Event) any {
	if c.closed {
		return nil
	}
	if c.framed {
		c.r.Request(c, e.Arg(0))
		return nil
	}
	line, _ := e.Arg(0).(string)
	if c.auth != nil {
		c.authInput(e, line)
		return nil
	}
	out, err := c.neg.Feed(line)
	c.sendLines(out)
	if err != nil {
		c.fail("negotiate", 0, err.Error())
		c.Shutdown()
		return nil
	}
	if c.neg.Done() {
		c.afterDialogue(e)
	}
	return nil
}

// negotiated is the channel's phase "done" (spec 14 step 3).
func (c *conn) negotiated(e *kernel.Event) {
	c.result, _ = c.neg.Result()
	e.Kernel.Delay("timeout", -1)
	ser, err := c.serializer(c.result.Serializer)
	if err != nil {
		c.fail("negotiate", 0, fmt.Sprintf("negotiated serializer %q is not available: %v", c.result.Serializer, err))
		c.Shutdown()
		return
	}
	c.rw.PauseInput()
	var pid any
	if c.result.HasPeerPID {
		pid = c.result.PeerPID
	}
	c.reg = c.r.Register(c, c.result.PeerID, c.result.PeerAliases, pid)
	if !c.reg {
		c.fail("register", 0, fmt.Sprintf("remote kernel %q is already connected", c.result.PeerID))
		c.Shutdown()
		return
	}
	c.framed = true
	c.neg = nil // the dialogue is over: an idle connection keeps nothing of it
	// Frames from here on: the subscription requests below are records.
	// Records are decoded straight into messages where the serializer
	// allows (MessagePack); the responder takes either form.
	c.rw.SetFilter(filter.NewReference(filter.ReferenceOptions{Serializer: ser, MaxFrame: c.cfg.MaxFrame,
		Thaw: message.NewDecoder(ser).Thaw}))
	if len(c.cfg.Subscribe) > 0 {
		c.r.Subscribe(c.cfg.Subscribe, func(accepted []string) {
			c.k.Post(c.s, "done", accepted)
		})
	} else {
		e.Kernel.Yield("done", c.cfg.Subscribe)
	}
	c.rw.ResumeInput()
}

// done runs once every subscription is answered: OnConnect.
func (c *conn) done(e *kernel.Event) any {
	accepted, _ := e.Arg(0).([]string)
	if len(accepted) < len(c.cfg.Subscribe) {
		text := fmt.Sprintf("unable to subscribe to %v", missing(c.cfg.Subscribe, accepted))
		// The peer is registered, so fail reports to the monitors only;
		// the Client promises OnError too (where Perl's channel dies).
		if c.cfg.OnError != nil {
			c.cfg.OnError("subscribe", 0, text)
		}
		c.fail("subscribe", 0, text)
	}
	if c.cfg.OnConnect != nil && !c.closed {
		c.cfg.OnConnect()
	}
	if c.cfg.Role == ClientRole {
		e.Kernel.DetachMyself()
	}
	return nil
}

func missing(want, got []string) []string {
	have := map[string]bool{}
	for _, g := range got {
		have[g] = true
	}
	var out []string
	for _, w := range want {
		if !have[w] {
			out = append(out, w)
		}
	}
	return out
}

func (c *conn) timeout(e *kernel.Event) any {
	if c.neg != nil && !c.framed {
		c.fail("negotiate", int(errTimedOut), fmt.Sprintf("%s did not finish within %s", c.stage(), c.cfg.NegotiationTimeout))
		c.close()
	}
	return nil
}

// wheelError is the wheel's ErrorEvent: EOF or a socket or filter error.
func (c *conn) wheelError(e *kernel.Event) any {
	op, _ := e.Arg(0).(string)
	errno, _ := e.Arg(1).(int)
	text, _ := e.Arg(2).(string)
	if op == "read" && errno == 0 && text == "" && !c.framed {
		text = "connection closed during " + c.stage()
	}
	if c.framed && errors.Is(c.rw.LastError(), filter.ErrSerializer) {
		// A frame that does not thaw loses that record only; the stream
		// is still in step, so the connection carries on.
		c.fail(op, errno, text)
		return nil
	}
	c.fail(op, errno, text)
	c.close()
	return nil
}

// fail reports an error: to OnError before registration, else to the
// monitors, as Perl's channel does.
func (c *conn) fail(op string, errno int, text string) {
	if !c.reg && c.cfg.OnError != nil {
		c.cfg.OnError(op, errno, text)
		return
	}
	if c.r != nil {
		c.r.ChannelError(c, op, errno, text)
	}
}

func (c *conn) flushed(e *kernel.Event) any {
	if c.closing {
		c.close()
	}
	return nil
}

// Send is responder.Channel's Send: one record to the peer.
func (c *conn) Send(m *message.Message) bool {
	if c.closed || !c.framed {
		return false
	}
	m.FillKernel(c.result.KernelName)
	// The message freezes itself (filter.SelfFreezer): straight from the
	// struct with MessagePack, through Value with Storable.
	c.rw.Put(m)
	// A peer over the output limit is dropped here; the record counts as
	// sent, and a call in it fails through the responder's unregister.
	c.checkOutput()
	return true
}

// SendsSynchronously makes conn a responder.SyncSender: Send writes the
// record into the output buffer at once and keeps nothing of it.
func (c *conn) SendsSynchronously() {}

// Shutdown is responder.Channel's Shutdown: close once output drains.
func (c *conn) Shutdown() {
	if c.closed {
		return
	}
	c.closing = true
	if c.rw == nil || c.rw.GetDriverOutOctets() == 0 {
		c.k.Post(c.s, "close")
	}
}

// Session is responder.Channel's Session.
func (c *conn) Session() *kernel.Session { return c.s }

// close ends the connection now: unregister, drop the wheel (closing the
// socket), let the session go.
func (c *conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	if c.r != nil {
		c.r.Unregister(c)
	}
	if c.rw != nil {
		c.rw.Close()
	}
	c.k.Delay("timeout", -1)
	for _, a := range c.k.AliasList(c.s) {
		c.k.AliasRemove(a)
	}
}

func (c *conn) stop(e *kernel.Event) any {
	c.close()
	return nil
}

const errTimedOut = syscall.ETIMEDOUT

func closeFd(fd int) {
	if fd >= 0 {
		syscall.Close(fd)
	}
}
