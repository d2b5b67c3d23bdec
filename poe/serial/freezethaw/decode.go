package freezethaw

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/poe-go/poe/poe/internal/box"
	"github.com/poe-go/poe/poe/serial"
)

// decoder reads one image, forward only.
type decoder struct {
	data     []byte
	pos      int
	chars    bool // string lengths count UTF-8 characters, not bytes
	depth    int
	maxDepth int
	maxItems int
	items    int
	classes  []string // package names by id
	keys     []string // keys of the hashes being read, stacked by depth

	// The shared-object table of an image that starts with '!', and the
	// places left pending while its contents are read (see shared.go).
	shared []sharedObj
	holes  []hole

	// str holds the image from offset base on, copied at the first
	// non-empty text, so that every thawed string and hash key is a
	// substring of one allocation; base is math.MaxInt until then.
	str   string
	base  int
	slabs box.Slabs // behind thawed strings, integers and arrays
}

// newDecoder returns a decoder of data with o's limits, reading string
// lengths as characters when chars is set.
func newDecoder(data []byte, o Options, chars bool) decoder {
	return decoder{data: data, chars: chars, maxDepth: o.depth(), maxItems: o.items(), base: math.MaxInt}
}

// thaw reads the image in data. A Perl peer whose record holds a
// character string sends an image whose string lengths count characters
// while its bytes are UTF-8 (see the package documentation); when an image
// with bytes above 0x7F does not read with lengths in bytes, it is read
// again with lengths in characters if it is valid UTF-8 (as such an image
// always is), and if neither reading works the first one's error is
// returned.
//
// The two readings take the same steps until one reads a text holding a
// byte above 0x7F, which leaves the read position past that byte; a first
// reading that failed before getting past the image's first such byte
// would fail the same way again, so the image is not read twice then.
func thaw(data []byte, o Options) (any, error) {
	d := newDecoder(data, o, false)
	v, err := d.image()
	if err == nil {
		return v, nil
	}
	h := firstHighByte(data)
	if h < 0 || d.pos <= h || !utf8.Valid(data[h:]) {
		return nil, err
	}
	c := newDecoder(data, o, true)
	if v, cerr := c.image(); cerr == nil {
		return v, nil
	}
	return nil, err
}

// firstHighByte returns the offset of the first byte of b above 0x7F, or
// -1 if there is none.
func firstHighByte(b []byte) int {
	for i, c := range b {
		if c >= 0x80 {
			return i
		}
	}
	return -1
}

// image reads the signature, the shared-object table if there is one,
// and the top-level array of freeze's arguments, which must hold exactly
// one value.
func (d *decoder) image() (any, error) {
	if !bytes.HasPrefix(d.data, []byte(signature)) {
		n := min(len(d.data), len(signature))
		return nil, d.fail(0, 0, ErrHeader, fmt.Sprintf("image starts %q, want %q", d.data[:n], signature))
	}
	d.pos = len(signature)
	if d.pos < len(d.data) {
		switch d.data[d.pos] {
		case tagCached:
			return nil, d.fail(d.pos, tagCached, ErrUnsupported, "safeFreeze's stamp: the image holds data only the process that froze it can restore")
		case tagShared:
			if err := d.table(); err != nil {
				return nil, err
			}
		}
	}
	at := d.pos
	if at >= len(d.data) {
		return nil, d.truncated(at, 0)
	}
	if d.data[at] != tagArray {
		return nil, d.fail(at, d.data[at], ErrFormat, "the top level must be the array of freeze's arguments ('@1|')")
	}
	d.pos++
	n, err := d.count(at, tagArray)
	if err != nil {
		return nil, err
	}
	if n != 1 {
		return nil, d.fail(at, tagArray, ErrFormat, fmt.Sprintf("freeze was given %d values; a record is one", n))
	}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if d.pos != len(d.data) {
		return nil, d.fail(d.pos, 0, ErrTrailing, fmt.Sprintf("%d bytes", len(d.data)-d.pos))
	}
	if d.shared != nil {
		if err := d.checkSharedDepth(len(signature), v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// count reads a decimal count and its '|' at d.pos, for the item at at
// with tag tag. A count larger than the image is returned as some number
// larger than the image, for the caller to refuse.
func (d *decoder) count(at int, tag byte) (int, error) {
	p, n := d.pos, 0
	for p < len(d.data) {
		c := d.data[p]
		if c < '0' || c > '9' {
			break
		}
		if n <= len(d.data) {
			n = n*10 + int(c-'0')
		}
		p++
	}
	switch {
	case p-d.pos > 20:
		return 0, d.fail(d.pos, tag, ErrFormat, fmt.Sprintf("a count of %d digits (Perl reads at most 20)", p-d.pos))
	case p >= len(d.data):
		return 0, d.truncated(p, tag)
	case p == d.pos:
		return 0, d.fail(p, tag, ErrFormat, fmt.Sprintf("want a decimal count, found %s", describe(d.data[p])))
	case d.data[p] != '|':
		return 0, d.fail(p, tag, ErrFormat, fmt.Sprintf("want '|' after the count, found %s", describe(d.data[p])))
	}
	d.pos = p + 1
	return n, nil
}

func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// span reads a length and the text it counts, after the tag of the item
// at at: n bytes, or n characters in an image whose lengths count
// characters. It returns the text's start and end.
func (d *decoder) span(at int, tag byte) (int, int, error) {
	n, err := d.count(at, tag)
	if err != nil {
		return 0, 0, err
	}
	p := d.pos
	left := len(d.data) - p
	if n > left {
		return 0, 0, d.fail(at, tag, ErrLength, fmt.Sprintf("claims %d bytes, only %d left", n, left))
	}
	if !d.chars {
		d.pos = p + n
		return p, p + n, nil
	}
	q := p
	for i := 0; i < n; i++ {
		if q >= len(d.data) {
			return 0, 0, d.fail(at, tag, ErrLength, fmt.Sprintf("claims %d characters, only %d left", n, i))
		}
		q++
		for q < len(d.data) && d.data[q]&0xc0 == 0x80 {
			q++
		}
	}
	d.pos = q
	return p, q, nil
}

// text reads a '$' string at d.pos: a hash key or a package name.
func (d *decoder) text(what string) (string, error) {
	at := d.pos
	if at >= len(d.data) {
		return "", d.truncated(at, 0)
	}
	if d.data[at] != tagString {
		return "", d.fail(at, d.data[at], ErrFormat, what+" must be a string ('$')")
	}
	d.pos++
	p, q, err := d.span(at, tagString)
	if err != nil {
		return "", err
	}
	return d.sub(p, q-p), nil
}

// item counts one more item against MaxItems.
func (d *decoder) item(at int, tag byte) error {
	if d.items >= d.maxItems {
		return d.fail(at, tag, ErrTooMany, fmt.Sprintf("limit %d", d.maxItems))
	}
	d.items++
	return nil
}

func (d *decoder) enter(at int, tag byte) error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.fail(at, tag, ErrTooDeep, fmt.Sprintf("limit %d", d.maxDepth))
	}
	return nil
}

// value reads one scalar: what an array element, a hash value or a
// reference's target is.
func (d *decoder) value() (any, error) {
	at := d.pos
	if at >= len(d.data) {
		return nil, d.truncated(at, 0)
	}
	c := d.data[at]
	if err := d.item(at, c); err != nil {
		return nil, err
	}
	d.pos = at + 1
	switch c {
	case tagString:
		p, q, err := d.span(at, c)
		if err != nil {
			return nil, err
		}
		if i, ok := canonicalInt(d.data[p:q]); ok {
			return d.slabs.BoxInt(i), nil
		}
		return d.boxText(p, q-p), nil
	case tagUndef:
		return nil, nil
	case tagHash:
		m, err := d.hash(at, nil)
		if err != nil {
			return nil, err
		}
		return m, nil
	case tagArray:
		return d.array(at)
	case tagRef:
		r := &serial.Ref{}
		if err := d.ref(at, r); err != nil {
			return nil, err
		}
		return r, nil
	case tagBackRef:
		return d.backRef(at)
	case tagObject:
		return d.object(at)
	case tagRegexp:
		return d.regexp(at)
	}
	return nil, d.badTag(at, c, "a value")
}

// badTag reports a tag that cannot start an item here.
func (d *decoder) badTag(at int, c byte, where string) error {
	switch c {
	case tagCode:
		return d.fail(at, c, ErrUnsupported, "code references are refused: a thawed value never names code")
	case tagGlob:
		return d.fail(at, c, ErrUnsupported, "globs (file handles) cannot travel")
	case tagCached:
		return d.fail(at, c, ErrUnsupported, "safeFreeze's cached data exists only in the process that froze it")
	case tagShared, tagAllocate, tagInstance, tagPackage:
		return d.fail(at, c, ErrFormat, "misplaced: not allowed as "+where)
	}
	return d.fail(at, c, ErrTag, "not allowed as "+where)
}

// canonicalInt reports whether b is an integer as Perl prints one (no
// sign but '-', no leading zero, no "-0") that fits in an int64, and its
// value.
func canonicalInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] == '0' {
		return 0, len(b) == 1 && !neg
	}
	if len(b) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case !neg && u <= math.MaxInt64:
		return int64(u), true
	case neg && u <= 1<<63:
		return int64(-u), true
	}
	return 0, false
}

// hash reads a hash, after its '%' at at: its count, checked against the
// bytes left (a key takes at least 3, "$0|", and a value 1), then its
// keys, then its values, into m, or into a new map when m is nil. It
// returns the map. A key met twice keeps its last value, as in Perl.
func (d *decoder) hash(at int, m map[string]any) (map[string]any, error) {
	n, err := d.count(at, tagHash)
	if err != nil {
		return nil, err
	}
	if n%2 != 0 {
		return nil, d.fail(at, tagHash, ErrFormat, fmt.Sprintf("odd count %d: a hash holds keys and values", n))
	}
	pairs := n / 2
	if left := len(d.data) - d.pos; pairs > left/4 {
		return nil, d.fail(at, tagHash, ErrLength, fmt.Sprintf("claims %d keys, only %d bytes left", pairs, left))
	}
	if m == nil {
		m = make(map[string]any, min(pairs, 64))
	}
	if err := d.enter(at, tagHash); err != nil {
		return nil, err
	}
	if cap(d.keys) == 0 {
		d.firstSlabs()
	}
	ks := len(d.keys)
	for range pairs {
		if err := d.item(d.pos, tagString); err != nil {
			return nil, err
		}
		k, err := d.text("a hash key")
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
	}
	for i := range pairs {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		k := d.keys[ks+i]
		m[k] = v
		if p, ok := v.(*pending); ok {
			d.holes = append(d.holes, hole{m: m, key: k, p: p})
		}
	}
	clear(d.keys[ks:])
	d.keys = d.keys[:ks]
	d.depth--
	return m, nil
}

// arrayHead reads an array's count, after its '@', checked against the
// bytes left: an element takes at least one.
func (d *decoder) arrayHead(at int) (int, error) {
	n, err := d.count(at, tagArray)
	if err != nil {
		return 0, err
	}
	if left := len(d.data) - d.pos; n > left {
		return 0, d.fail(at, tagArray, ErrLength, fmt.Sprintf("claims %d elements, only %d bytes left", n, left))
	}
	return n, nil
}

// arrayBody reads the elements of a, an array whose '@' is at at.
func (d *decoder) arrayBody(at int, a []any) error {
	if err := d.enter(at, tagArray); err != nil {
		return err
	}
	for i := range a {
		v, err := d.value()
		if err != nil {
			return err
		}
		a[i] = v
		if p, ok := v.(*pending); ok {
			d.holes = append(d.holes, hole{a: a, i: i, p: p})
		}
	}
	d.depth--
	return nil
}

// array reads an array, after its '@' at at, and returns its interface
// form.
func (d *decoder) array(at int) (any, error) {
	n, err := d.arrayHead(at)
	if err != nil {
		return nil, err
	}
	a, v := d.newArray(n)
	if err := d.arrayBody(at, a); err != nil {
		return nil, err
	}
	return v, nil
}

// target reads the scalar a reference whose tag tag is at at points to,
// one level deeper.
func (d *decoder) target(at int, tag byte) (any, error) {
	if err := d.enter(at, tag); err != nil {
		return nil, err
	}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.depth--
	return v, nil
}

// ref reads what r, a reference to a scalar (or to another reference),
// points to, after its '\' at at.
func (d *decoder) ref(at int, r *serial.Ref) error {
	v, err := d.target(at, tagRef)
	if err != nil {
		return err
	}
	r.Value = v
	if p, ok := v.(*pending); ok {
		d.holes = append(d.holes, hole{r: r, p: p})
	}
	return nil
}

// object reads a blessed reference, after its '>': the package, then a
// hash or an array body, or '\' and the scalar a blessed scalar reference
// points to.
func (d *decoder) object(at int) (any, error) {
	cls, err := d.pkg(at)
	if err != nil {
		return nil, err
	}
	if err := d.enter(at, tagObject); err != nil {
		return nil, err
	}
	v, err := d.content(at, cls)
	if err != nil {
		return nil, err
	}
	d.depth--
	return v, nil
}

// content reads what an object of class cls holds.
func (d *decoder) content(at int, cls string) (any, error) {
	p := d.pos
	if p >= len(d.data) {
		return nil, d.truncated(p, tagObject)
	}
	d.pos++
	switch c := d.data[p]; c {
	case tagHash:
		m, err := d.hash(p, nil)
		if err != nil {
			return nil, err
		}
		return serial.Blessed{Class: cls, Value: m}, nil
	case tagArray:
		v, err := d.array(p)
		if err != nil {
			return nil, err
		}
		return serial.Blessed{Class: cls, Value: v}, nil
	case tagRef:
		return d.scalarObject(p, cls)
	default:
		return nil, d.fail(p, c, ErrFormat, fmt.Sprintf("an object of class %q must hold a hash, an array or a scalar reference", cls))
	}
}

// scalarObject reads what a blessed scalar reference of class cls points
// to, after its '\' at at. A serial.Blessed holds that value itself: when
// it is a shared object not made yet, the result is a marker that stands
// for it blessed into cls, filled once the table is complete.
func (d *decoder) scalarObject(at int, cls string) (any, error) {
	v, err := d.target(at, tagRef)
	if err != nil {
		return nil, err
	}
	if p, ok := v.(*pending); ok {
		return &pending{k: p.k, cls: cls, in: p}, nil
	}
	return serial.Blessed{Class: cls, Value: v}, nil
}

// pkg reads a package after '>', '{' or '}': '>', a new id and the name,
// or ')' and the id of a package named before. Perl's freeze numbers
// packages from 0 in the order it first names them; ids are checked to
// follow that order.
func (d *decoder) pkg(at int) (string, error) {
	p := d.pos
	if p >= len(d.data) {
		return "", d.truncated(p, d.data[at])
	}
	c := d.data[p]
	d.pos++
	switch c {
	case tagNewPackage:
		id, err := d.count(p, c)
		if err != nil {
			return "", err
		}
		if id != len(d.classes) {
			return "", d.fail(p, tagPackage, ErrFormat, fmt.Sprintf("new package id %d, want %d", id, len(d.classes)))
		}
		cls, err := d.text("a package name")
		if err != nil {
			return "", err
		}
		if cls == "" {
			return "", d.fail(p, tagPackage, ErrFormat, "empty package name (Perl cannot thaw an object of it)")
		}
		d.classes = append(d.classes, cls)
		return cls, nil
	case tagPackage:
		id, err := d.count(p, c)
		if err != nil {
			return "", err
		}
		if id >= len(d.classes) {
			return "", d.fail(p, tagPackage, ErrBackRef, fmt.Sprintf("package id %d not named yet (%d so far)", id, len(d.classes)))
		}
		return d.classes[id], nil
	}
	return "", d.fail(p, c, ErrFormat, "want a package: '>' and a new id, or ')' and a known one")
}

// regexp reads a qr// object, after its '/', as a serial.Blessed of class
// Regexp holding the pattern as Perl prints it ("(?^i:ab)").
func (d *decoder) regexp(at int) (any, error) {
	p, q, err := d.span(at, tagRegexp)
	if err != nil {
		return nil, err
	}
	return serial.Blessed{Class: "Regexp", Value: d.sub(p, q-p)}, nil
}

// The error constructors keep formatting out of the hot path.

func (d *decoder) fail(at int, tag byte, err error, detail string) error {
	return &Error{Offset: at, Tag: tag, Detail: detail, Err: err}
}

// truncated reports that the image ends at p, inside an item with tag tag
// (0 when the item's own tag is missing).
func (d *decoder) truncated(p int, tag byte) error {
	return d.fail(p, tag, ErrTruncated, fmt.Sprintf("image ends at byte %d", len(d.data)))
}
