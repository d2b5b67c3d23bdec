package storable

import "github.com/poe-go/poe/poe/serial"

// Name is the serializer name IKC negotiates for Perl's Storable (the text
// after FREEZER); every Perl IKC peer offers it first.
const Name = "Storable"

// Default limits of Options.
const (
	// DefaultMaxDepth bounds nesting of references and containers.
	DefaultMaxDepth = 512
	// DefaultMaxItems bounds how many items (scalars, containers,
	// references) one image may hold.
	DefaultMaxItems = 1 << 24
)

// Options bound what Thaw accepts and Freeze produces. The zero value means
// the defaults.
type Options struct {
	// MaxDepth is the deepest nesting of containers and references Thaw
	// reads and Freeze writes; 0 means DefaultMaxDepth. It also stops
	// Freeze on Go values that contain themselves through reflection-only
	// types.
	MaxDepth int
	// MaxItems is the most items one image may hold; 0 means
	// DefaultMaxItems. Independently of it, no length or count is trusted
	// before it has been checked against the bytes left in the image.
	MaxItems int
	// Borrow makes thawed strings and hash keys point into the image
	// instead of a copy of it: Thaw then allocates almost nothing for
	// text, but the caller must never modify the image afterwards. Off by
	// default.
	Borrow bool
}

func (o Options) depth() int {
	if o.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return o.MaxDepth
}

func (o Options) items() int {
	if o.MaxItems <= 0 {
		return DefaultMaxItems
	}
	return o.MaxItems
}

// Serializer is Perl's Storable for POE::Filter::Reference: Freeze writes
// what nfreeze writes (network order, header 05 0b), Thaw reads what
// nfreeze and freeze write. It is safe for concurrent use.
type Serializer struct {
	opts Options
}

// New returns a Storable serializer with the given limits.
func New(opts Options) *Serializer { return &Serializer{opts: opts} }

// Default is the Storable serializer with default limits, registered under
// Name.
var Default = New(Options{})

func init() { serial.Register(Default) }

// Name returns "Storable".
func (s *Serializer) Name() string { return Name }

// Freeze appends nfreeze's image of v to dst. See the package
// documentation for what each Go type becomes.
func (s *Serializer) Freeze(dst []byte, v any) ([]byte, error) {
	e := getEncoder(s.opts)
	out, err := e.freeze(dst, v)
	putEncoder(e)
	return out, err
}

// Thaw decodes one Storable image (network or native order) into the
// serial data model. Malformed input yields an *Error.
func (s *Serializer) Thaw(data []byte) (any, error) {
	d := decoder{maxDepth: s.opts.depth(), maxItems: s.opts.items(), borrow: s.opts.Borrow}
	return d.thaw(data)
}

// Freeze returns nfreeze's image of v with default limits.
func Freeze(v any) ([]byte, error) { return Default.Freeze(nil, v) }

// Thaw decodes a Storable image with default limits, as Storable::thaw.
func Thaw(data []byte) (any, error) { return Default.Thaw(data) }
