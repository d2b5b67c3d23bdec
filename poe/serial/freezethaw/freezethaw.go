package freezethaw

import "github.com/poe-go/poe/poe/serial"

// Name is the serializer name IKC negotiates for Perl's FreezeThaw (the
// text after FREEZER): a Perl peer started with FreezeThaw as its
// serializer offers it, and POE::Filter::Reference then calls
// FreezeThaw::freeze and FreezeThaw::thaw for every record.
const Name = "FreezeThaw"

// Default limits of Options.
const (
	// DefaultMaxDepth bounds nesting of references and containers.
	DefaultMaxDepth = 512
	// DefaultMaxItems bounds how many items (scalars, hash keys,
	// containers, references) one image may hold.
	DefaultMaxItems = 1 << 24
)

// Options bound what Thaw accepts and Freeze produces. The zero value means
// the defaults.
type Options struct {
	// MaxDepth is the deepest nesting of containers and references Thaw
	// reads and Freeze writes; 0 means DefaultMaxDepth. Nesting is counted
	// along the value as Freeze walks it (a shared container is entered
	// where it is first met), so whatever Thaw accepts, Freeze with the
	// same limit can write. It also stops Freeze on Go values that contain
	// themselves through reflection-only types.
	MaxDepth int
	// MaxItems is the most items one image may hold; 0 means
	// DefaultMaxItems. Independently of it, no length or count is trusted
	// before it has been checked against the bytes left in the image.
	MaxItems int
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

// Serializer is Perl's FreezeThaw for POE::Filter::Reference: Freeze
// writes what FreezeThaw::freeze writes for the one reference IKC puts in
// a record, and Thaw reads every image freeze writes for one value, code
// and glob references aside, including the ones a Perl peer sends when
// its record holds character strings, which Perl's own thaw cannot read.
// It is safe for concurrent use.
type Serializer struct {
	opts Options
}

// New returns a FreezeThaw serializer with the given limits.
func New(opts Options) *Serializer { return &Serializer{opts: opts} }

// Default is the FreezeThaw serializer with default limits, registered
// under Name.
var Default = New(Options{})

func init() { serial.Register(Default) }

// Name returns "FreezeThaw".
func (s *Serializer) Name() string { return Name }

// Freeze appends FreezeThaw::freeze's image of v (the record frozen as
// the single argument of freeze, as POE::Filter::Reference calls it) to
// dst. See the package documentation for what each Go type becomes.
func (s *Serializer) Freeze(dst []byte, v any) ([]byte, error) {
	e := getEncoder(s.opts)
	out, err := e.freeze(dst, v)
	putEncoder(e)
	return out, err
}

// Thaw decodes one FreezeThaw image holding one value, as
// POE::Filter::Reference's get_one receives it, into the serial data
// model. Malformed input yields an *Error.
func (s *Serializer) Thaw(data []byte) (any, error) {
	return thaw(data, s.opts)
}

// Freeze returns FreezeThaw::freeze's image of v with default limits.
func Freeze(v any) ([]byte, error) { return Default.Freeze(nil, v) }

// Thaw decodes a FreezeThaw image with default limits, as
// FreezeThaw::thaw does for the one value IKC freezes.
func Thaw(data []byte) (any, error) { return Default.Thaw(data) }
