package responder

import (
	"errors"
	"log"
	"os"
	"sync"
	"time"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/kernel"
)

// Alias is the alias of the responder session: every IKC request is a post
// or call to the session named "IKC".
const Alias = message.Responder

// DefaultSubscribeTimeout is how long a subscription waits for the remote
// kernel's receipt before it counts as refused (Perl IKC's 60 seconds).
const DefaultSubscribeTimeout = 60 * time.Second

// Errors returned by the typed API.
var (
	// ErrShutdown: the responder was shut down (IKC/shutdown).
	ErrShutdown = errors.New("ikc: the responder has been shut down")
	// ErrBadSpecifier: a target or rsvp is not a usable specifier.
	ErrBadSpecifier = errors.New("ikc: bad specifier")
	// ErrNoKernel: the target names no kernel and no default kernel is set,
	// or the kernel it names is not connected.
	ErrNoKernel = errors.New("ikc: no such kernel")
)

// Responder is POE::Component::IKC::Responder: the session aliased "IKC"
// that routes every IKC record of one kernel. It is created by Spawn and
// used on the kernel's loop goroutine only: through posts and calls to
// the "IKC" session (the Perl calling convention) or through its typed
// methods, and by channel sessions through the seam methods
// (RegisterChannel, Register, Request, ChannelError, Unregister,
// RegisterLocal).
type Responder struct {
	k       *kernel.Kernel
	s       *kernel.Session
	localID string
	pid     int

	subscribeTimeout time.Duration
	callTimeout      time.Duration // WithCallTimeout
	curCallTimeout   time.Duration // the timeout of the call being sent

	published map[string]map[string]bool // local: alias -> states
	rsvp      map[rsvpKey]int            // one-shot permissions to post a session's state
	channels  map[string]Channel         // remote ID -> channel (and the local ID -> local channel)
	ids       map[Channel]string         // channel -> remote ID
	kernels   map[string]string          // alias -> remote ID
	aliases   map[string][]string        // remote ID -> aliases in registration order
	proxies   map[string][]*proxy        // kernel name -> proxy sessions
	monitors  map[string][]*monitor      // watched name -> watchers in registration order
	starting  map[Channel]bool           // channels still negotiating
	receipts  map[string]*receipt        // receipt state -> pending subscription answer
	pending   map[Channel]*pendingList   // calls sent on a channel, awaiting an answer
	defKernel string                     // default remote kernel ID
	local     *localChannel              // the local kernel pseudo-channel, once RegisterLocal ran
	thunks    thunkPool                  // the SENDERs of incoming requests
	ops       []*op                      // free ops (op.go)
	outs      []*outMsg                  // free outgoing messages (out.go)
	pubNames  []string                   // published names with states, sorted, unless pubDirty
	pubDirty  bool
	ownAlias  bool                // the session holds the alias IKC (until shutdown)
	specs     [specSlots]specSlot // specifiers parsed last (names.go)
	curPeer   string              // peer of the request being handled
	nreceipt  int
	shut      bool
	log       *log.Logger

	// The last look-ups, as runs of records repeat them (memo.go).
	lastPending memo[Channel, *pendingList] // pendingOf's last channel and its list
	lastPeer    memo[Channel, string]       // peerOf's last channel and its ID
	lastRoute   memo[string, Channel]       // route's last kernel name and its channel
}

var (
	registryMu sync.Mutex
	registry   = map[*kernel.Kernel]*Responder{}
)

// Option configures a Responder.
type Option func(*Responder)

// WithSubscribeTimeout sets how long a subscription waits for its receipt
// (DefaultSubscribeTimeout when not given); zero or negative waits forever.
func WithSubscribeTimeout(d time.Duration) Option {
	return func(r *Responder) { r.subscribeTimeout = d }
}

// WithLogger sends the responder's warnings to l (standard error, prefixed
// "IKC: ", by default).
func WithLogger(l *log.Logger) Option {
	return func(r *Responder) { r.log = l }
}

// Spawn creates the IKC responder session on k, aliased "IKC", unless k
// already has one, and returns it: one responder per kernel. Options given
// to a later Spawn apply to the existing responder. Server and Client call
// it; a program that only talks to its own kernel may call it directly.
// Call it from a handler or before k.Run.
func Spawn(k *kernel.Kernel, opts ...Option) *Responder {
	if r := Get(k); r != nil {
		for _, o := range opts {
			o(r)
		}
		return r
	}
	r := &Responder{
		k:                k,
		localID:          k.ID(),
		pid:              os.Getpid(),
		subscribeTimeout: DefaultSubscribeTimeout,
		published:        map[string]map[string]bool{Alias: {message.RemoteErrorState: true, message.DoYouHaveState: true, message.PingState: true}},
		rsvp:             map[rsvpKey]int{},
		channels:         map[string]Channel{},
		ids:              map[Channel]string{},
		kernels:          map[string]string{},
		aliases:          map[string][]string{},
		proxies:          map[string][]*proxy{},
		monitors:         map[string][]*monitor{},
		starting:         map[Channel]bool{},
		receipts:         map[string]*receipt{},
		pending:          map[Channel]*pendingList{},
		log:              log.New(os.Stderr, "IKC: ", 0),
	}
	for _, o := range opts {
		o(r)
	}
	r.thunks.r = r
	r.s = k.Create(kernel.Session{States: r.states(), Heap: r})
	registryMu.Lock()
	registry[k] = r
	registryMu.Unlock()
	return r
}

// Get returns k's responder, or nil when none was spawned or it has shut
// down. It is safe from any goroutine.
func Get(k *kernel.Kernel) *Responder {
	registryMu.Lock()
	defer registryMu.Unlock()
	return registry[k]
}

func (r *Responder) forget() {
	registryMu.Lock()
	if registry[r.k] == r {
		delete(registry, r.k)
	}
	registryMu.Unlock()
}

// Session returns the responder's session (the one aliased "IKC").
func (r *Responder) Session() *kernel.Session { return r.s }

// Kernel returns the kernel the responder routes for.
func (r *Responder) Kernel() *kernel.Kernel { return r.k }

// doState is the internal state that runs a Go function inside the IKC
// session, so that the typed API and the channel seam act with the
// responder as the active session (timers, proxies and thunks belong to
// it) and the caller as SENDER. Its name holds a colon, so no string
// specifier can name it, and it is never published.
const doState = "IKC:do"

// within runs fn in the IKC session, with e.Sender the active session of
// the caller. It reports false when the responder session is gone.
func (r *Responder) within(fn func(e *kernel.Event)) bool { return r.callDo(fn) }

// callDo calls doState in the IKC session with x, a func(*kernel.Event)
// or an *op; it reports false when the responder session is gone.
func (r *Responder) callDo(x any) bool {
	if r.s == nil || !r.s.Alive() {
		return false
	}
	_, err := r.k.Call(r.s, doState, x)
	return err == nil
}

func (r *Responder) states() kernel.States {
	return kernel.States{
		"_start": func(e *kernel.Event) any {
			r.ownAlias = e.Kernel.AliasSet(Alias) == nil
			return nil
		},
		"_stop": func(e *kernel.Event) any {
			r.forget()
			return nil
		},
		doState: func(e *kernel.Event) any {
			switch x := e.Arg(0).(type) {
			case *op:
				r.do(e, x)
			case func(*kernel.Event):
				x(e)
			}
			return nil
		},
		"post":            r.statePost,
		"call":            r.stateCall,
		"post2":           r.statePost2,
		"raw_message":     r.stateRawMessage,
		"publish":         r.statePublish,
		"retract":         r.stateRetract,
		"published":       r.statePublished,
		"subscribe":       r.stateSubscribe,
		"unsubscribe":     r.stateUnsubscribe,
		"monitor":         r.stateMonitor,
		"inform_monitors": r.stateInformMonitors,
		"default":         r.stateDefault,
		"shutdown":        r.stateShutdown,
		"ping":            func(*kernel.Event) any { return "PONG" },
		"do_you_have":     r.stateDoYouHave,
		"remote_error":    r.stateRemoteError,
		"_default":        r.stateUnknown,
		receiptTimeout:    r.stateReceiptTimeout,
		callTimeoutState:  r.stateCallTimeout,
	}
}

// warn reports what Perl IKC warns about (and what it would die of).
func (r *Responder) warn(format string, args ...any) {
	r.log.Printf(format, args...)
}
