// Package freezethaw is Perl's FreezeThaw (CPAN FreezeThaw 0.5001) for
// IKC: Freeze writes exactly what FreezeThaw::freeze writes for a record
// as POE::Filter::Reference calls it, and Thaw reads what a Perl peer's
// POE::Filter::Reference sends. It is registered with package serial
// under the name "FreezeThaw", which a Perl IKC peer offers after FREEZER
// when it was set up to use FreezeThaw instead of Storable.
//
// # The format
//
// FreezeThaw's image is text: the signature "FrT;", then items that each
// start with a tag character, counts and lengths in decimal ended by '|':
//
//	$len|text     a scalar: string and number alike, as Perl prints it
//	_             undef
//	@n|...        an array reference and its n elements
//	%2n|...       a hash reference: its n keys (sorted), then its n values
//	\...          a reference to the scalar that follows
//	>P...         a blessed reference: package P, then the hash or array
//	              body, or for a blessed scalar reference '\' and the scalar
//	>id|$len|name a package named for the first time (P above);
//	)id|          a package named before
//	/len|pattern  a qr// object
//	<k|           the shared object k (see below)
//
// freeze takes a list, so the image holds an array of its arguments:
// POE::Filter::Reference freezes one reference per record, so a record is
// "FrT;@1|" and then the record's hash, "%10|$5|event...". Thaw returns
// that one value, and Freeze(v) writes v as that one argument.
//
// When a reference appears more than once (a shared or circular
// structure), the image starts "FrT;!n|" and lists the n+1 shared objects
// twice before the data: first each one empty ("%0|", "@0|", "\_", or for
// an object '{', its package and its empty body), then each one's content
// ('}' and the package for objects). In the data, and in those contents,
// "<k|" stands for object k. The objects are listed in the order Perl met
// each a second time; Freeze counts references the same way, so its image
// is Perl's byte for byte.
//
// # Perl to Go (Thaw)
//
//	Perl item                                  Go value
//	undef (_)                                  nil
//	scalar whose text is an integer as Perl    int64 ("1", "-3", "0",
//	  prints one, within 64 bits                 "9223372036854775807")
//	any other scalar                           string: its text, unchanged ("-3.5",
//	                                             "007", "-0", "+1", "1e+20", "Inf",
//	                                             "18446744073709551615", "")
//	array reference (@)                        []any
//	hash reference (%)                         map[string]any (keys are always strings)
//	reference to a scalar or reference (\)     *serial.Ref
//	blessed hash or array (>P%, >P@)           serial.Blessed{Class, map or []any}
//	blessed scalar reference (>P\)             serial.Blessed{Class, the scalar's value}
//	qr// object (/)                            serial.Blessed{"Regexp", "(?^flags:pattern)"}
//	shared and circular data (!, <k|)          the same Go map, slice or *serial.Ref
//	code, globs, safeFreeze's cached data      refused with an *Error
//	  (&, *, ?)
//	a cycle through blessed scalar references  refused with an *Error (ErrUnsupported):
//	                                             a serial.Blessed cannot hold itself
//
// FreezeThaw carries every scalar as text, so Perl's 2 and "2" are the same
// on the wire. Thaw gives int64 for the text of an integer as Perl prints
// one (optional '-', no '+', no leading zero, "-0" excluded) that fits in
// 64 bits, so that session IDs and counts reach a handler as they do from
// Storable and MessagePack; every other scalar stays its string, as
// Storable's network order delivers non-integers. Floats never come back
// as float64: callers that want one use strconv.ParseFloat. Perl blessing
// a reference to a hash reference (bless \{...}) is rare enough that it
// comes back as the blessed hash itself, as from package storable.
//
// # Go to Perl (Freeze)
//
//	Go value                                   Perl scalar
//	nil, nil pointer, nil *serial.Ref          undef (_)
//	every int and uint width                   its decimal text
//	float32, float64                           Perl's "%.15g" text ("2.5", "3",
//	                                             "1e+15", "0.333333333333333"); 0 and
//	                                             -0 as "0"; "Inf", "-Inf", "NaN"
//	bool                                       "1" or "" (Perl's true and false)
//	string, []byte, [N]byte                    byte string: '$', its length in bytes,
//	                                             its bytes
//	map[string]any, typed maps with string     hash reference, keys sorted bytewise
//	  or integer keys
//	struct                                     hash reference of its exported fields,
//	                                             keyed by the `ikc` tag, else the
//	                                             `msgpack` tag, else the field name ("-"
//	                                             skips, ",omitempty" drops zero values)
//	[]any, typed slices and arrays             array reference
//	pointer                                    what it points to
//	*serial.Ref{Value}                         reference to the scalar Value stands for
//	serial.Blessed{Class, map or slice}        blessed hash or array
//	serial.Blessed{Class, other}               blessed reference to that scalar
//	serial.Blessed{"Regexp", string}           qr// object (/len|pattern)
//	the same map[string]any, []any or          shared object: the "!" table, then <k|
//	  *serial.Ref twice (or inside itself)
//	func, chan, complex, class ""              error wrapping ErrFreeze
//
// A []any of no capacity (an empty literal) has no address of its own and
// is never taken for a shared array; a blessed scalar never is either,
// since Go has no reference to it.
//
// # Character strings
//
// FreezeThaw counts a string's length with Perl's length, in characters.
// When a Perl record holds a character string (a string with Perl's UTF-8
// flag, as decoded text is), freeze's result is a character string too,
// and POE::Filter::Reference and POE::Driver::SysRW, working under "use
// bytes", send its UTF-8 bytes: every string of that record then arrives
// as UTF-8 with its length counted in characters ("$4|caf\xc3\xa9"),
// Latin-1 byte strings included, upgraded. Perl's own thaw reads such an
// image as bytes and fails ("Do not know how to thaw data with code");
// Thaw reads it: an image that does not read with lengths in bytes, but is
// valid UTF-8, is read with lengths in characters, and its strings come
// back as UTF-8. A record of byte strings only is sent with lengths in
// bytes; its strings come back as the bytes sent (Latin-1 stays Latin-1).
//
// Go strings carry no UTF-8 flag: Freeze writes every string as a byte
// string, its length in bytes, the image a Perl peer's freeze makes of
// UTF-8-encoded text (utf8::encode, Encode::encode_utf8) and the only one
// its thaw can read. A Perl handler therefore receives a Go string's text
// as UTF-8 bytes, to decode if it wants characters, just as it must for
// text a Perl peer sends it over FreezeThaw. Keys are sorted bytewise,
// which for UTF-8 is the order Perl gives the same keys as characters.
//
// # Limits
//
// Thaw never trusts a count: every length and count is checked against
// the bytes left before anything is allocated, nesting is capped by
// Options.MaxDepth (default 512, counted along the value, so a chain of
// shared objects that the table lists flat still counts as deep as it
// links) and the number of items, hash keys included, by Options.MaxItems
// (default 16M). Every failure is an *Error naming the byte offset, the
// tag and the problem; errors.Is finds ErrHeader, ErrTruncated, ErrLength,
// ErrFormat, ErrTag, ErrUnsupported, ErrBackRef, ErrTooDeep, ErrTooMany
// and ErrTrailing. A thawed value never names code to run: '&' is refused,
// where Perl's thaw dies on it too.
package freezethaw
