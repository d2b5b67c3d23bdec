// Package storable is Perl's Storable for IKC: Freeze writes exactly what
// Storable's nfreeze writes (network order, header 05 0b, as
// POE::Filter::Reference uses it), and Thaw reads what nfreeze and freeze
// write (network and native order). It is registered with package serial
// under the name "Storable", the serializer every Perl IKC peer offers.
//
// # The top-level value
//
// IKC freezes a hash reference, nfreeze(\%record), so the image holds the
// hash itself and Thaw returns it as map[string]any; Freeze of a map writes
// the hash body the same way. A plain scalar is frozen as nfreeze(\$scalar)
// and thaws back to the scalar.
//
// # Perl to Go (Thaw)
//
//	Perl item (opcode)                         Go value
//	undef (SX_UNDEF, SX_SV_UNDEF,
//	  SX_SVUNDEF_ELEM)                         nil
//	integer (SX_BYTE, SX_NETINT,
//	  native SX_INTEGER)                       int64
//	native double (SX_DOUBLE)                  float64
//	byte string (SX_SCALAR, SX_LSCALAR)        string (bytes as sent; may be Latin-1)
//	character string (SX_UTF8STR,
//	  SX_LUTF8STR)                             string (UTF-8)
//	number beyond 32 bits, any float           string: Perl sends their decimal text
//	  in network order                           ("2147483648", "2.5", "Inf")
//	Perl's immortal yes / no (SX_SV_YES,
//	  SX_SV_NO, SX_BOOLEAN_*)                  bool
//	array, reference to array                  []any
//	hash, reference to hash, flagged hash      map[string]any (Latin-1 keys flagged
//	                                             as downgraded UTF-8 become UTF-8)
//	reference to a scalar or to a reference    *serial.Ref
//	blessed item (SX_BLESS, SX_IX_BLESS)       serial.Blessed{Class, Value}; Value is the
//	                                             hash or array, or for a blessed scalar or
//	                                             reference what that scalar is in Go
//	weak and overloaded references             as plain references
//	shared and circular data (SX_OBJECT)       the same Go map or slice, shared
//	vstring (SX_VSTRING)                       its string value
//	qr// (SX_REGEXP)                           serial.Blessed{"Regexp", "(?^flags:pattern)"}
//	code, tied data, STORABLE_freeze hooks     refused with an *Error
//
// Perl does not tell "1" from 1 once it has used either as both, and in
// network order every non-integral number is sent as its string: callers
// that want numbers convert strings with strconv.
//
// # Go to Perl (Freeze)
//
//	Go value                                   Perl scalar (opcode)
//	nil, nil pointer, nil *serial.Ref          undef (SX_UNDEF)
//	every int and uint width                   integer: SX_BYTE for -128..127, SX_NETINT
//	                                             within 32 bits, else the decimal string,
//	                                             as Perl writes it
//	float32, float64                           integral and below 2**53: as an integer;
//	                                             else the "%.15g" string ("2.5", "1e+20",
//	                                             "Inf", "-Inf", "NaN"), as Perl writes it
//	string, pure ASCII or not valid UTF-8      byte string (SX_SCALAR, SX_LSCALAR over 255)
//	string with valid non-ASCII UTF-8          character string (SX_UTF8STR, SX_LUTF8STR)
//	[]byte, [N]byte                            byte string, whatever its content
//	bool                                       "1" or "" (Perl 5.36's !!1 and !!0)
//	map[string]T, map with integer keys        reference to a hash, keys sorted; SX_FLAG_HASH
//	                                             when a key holds non-ASCII UTF-8
//	struct                                     reference to a hash of its exported fields,
//	                                             keyed by the `ikc` tag, else the `msgpack`
//	                                             tag, else the field name ("-" skips,
//	                                             ",omitempty" drops zero values)
//	[]T, [N]T (nil slices too)                 reference to an array
//	pointer                                    what it points to
//	*serial.Ref{Value}                         reference to the scalar Value stands for
//	serial.Blessed{Class, Value}               blessed reference; the first use of a class
//	                                             is SX_BLESS, later ones SX_IX_BLESS
//	the same map[string]any or []any twice     SX_OBJECT for the second time, so sharing
//	  (or inside itself)                         and cycles survive
//	func, chan, complex                        error wrapping ErrFreeze
//
// Go strings carry no UTF-8 flag, so a byte string whose bytes happen to be
// valid non-ASCII UTF-8 reaches Perl as characters; send such data as
// []byte to keep it bytes. Go booleans do not come back as bool from Perl:
// Perl 5.36 stores its booleans as "1" and "".
//
// # Limits
//
// Thaw never trusts a length: every length and count is checked against
// the bytes left before anything is allocated, nesting is capped by
// Options.MaxDepth (default 512) and the number of items by
// Options.MaxItems (default 16M). Every failure is an *Error naming the
// byte offset, the opcode and the problem; errors.Is finds ErrTruncated,
// ErrLength, ErrOpcode, ErrUnsupported, ErrObjectTag, ErrTooDeep,
// ErrTooMany, ErrHeader and ErrTrailing. A thawed value never names code to
// run: SX_CODE is refused.
package storable
