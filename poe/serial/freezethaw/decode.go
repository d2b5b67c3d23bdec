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

	// The shared-object table of an image that starts with '!'.
	shared []sharedObj
	phase  uint8
	holes  []hole

	// str holds the image from offset base on, copied at the first
	// non-empty text, so that every thawed string and hash key is a
	// substring of one allocation; base is math.MaxInt until then.
	str   string
	base  int
	slabs box.Slabs // behind thawed strings, integers and arrays
}

// Phases of reading an image with a shared-object table.
const (
	phaseNone     = iota // no table: '<' is an error
	phaseAllocate        // the table's empty objects: '<' is an error
	phaseInstance        // the table's contents: '<' may name an object not complete yet
	phaseData            // the data: every object is complete
)

// thaw reads the image in data. A Perl peer whose record holds a
// character string sends an image whose string lengths count characters
// while its bytes are UTF-8 (see the package documentation); when an image
// with bytes above 0x7F does not read with lengths in bytes, it is read
// again with lengths in characters if it is valid UTF-8 (as such an image
// always is), and if neither reading works the first one's error is
// returned.
func thaw(data []byte, o Options) (any, error) {
	d := decoder{data: data, maxDepth: o.depth(), maxItems: o.items(), base: math.MaxInt}
	v, err := d.image()
	if err == nil {
		return v, nil
	}
	if !hasHighBytes(data) || !utf8.Valid(data) {
		return nil, err
	}
	c := decoder{data: data, chars: true, maxDepth: o.depth(), maxItems: o.items(), base: math.MaxInt}
	if v, cerr := c.image(); cerr == nil {
		return v, nil
	}
	return nil, err
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
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
	tableAt := -1
	if d.pos < len(d.data) {
		switch d.data[d.pos] {
		case tagCached:
			return nil, d.fail(d.pos, tagCached, ErrUnsupported, "safeFreeze's stamp: the image holds data only the process that froze it can restore")
		case tagShared:
			tableAt = d.pos
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
	if tableAt >= 0 {
		if err := d.checkSharedDepth(tableAt, v); err != nil {
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

// span reads the text of n bytes, or of n characters in an image whose
// lengths count characters, at d.pos, and returns its start and end.
func (d *decoder) span(at int, tag byte, n int) (int, int, error) {
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
	n, err := d.count(at, tagString)
	if err != nil {
		return "", err
	}
	p, q, err := d.span(at, tagString, n)
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
		n, err := d.count(at, c)
		if err != nil {
			return nil, err
		}
		p, q, err := d.span(at, c, n)
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
		pairs, err := d.hashHead(at)
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, min(pairs, 64))
		return m, d.hashBody(at, m, pairs)
	case tagArray:
		n, err := d.arrayHead(at)
		if err != nil {
			return nil, err
		}
		a, v := d.newArray(n)
		return v, d.arrayBody(at, a)
	case tagRef:
		return d.ref(at)
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

// hashHead reads a hash's count, after its '%', and returns its number of
// keys, checked against the bytes left: a key takes at least 3 ("$0|") and
// a value 1.
func (d *decoder) hashHead(at int) (int, error) {
	n, err := d.count(at, tagHash)
	if err != nil {
		return 0, err
	}
	if n%2 != 0 {
		return 0, d.fail(at, tagHash, ErrFormat, fmt.Sprintf("odd count %d: a hash holds keys and values", n))
	}
	if left := len(d.data) - d.pos; n/2 > left/4 {
		return 0, d.fail(at, tagHash, ErrLength, fmt.Sprintf("claims %d keys, only %d bytes left", n/2, left))
	}
	return n / 2, nil
}

// hashBody reads a hash's keys, then its values, into m. A key met twice
// keeps its last value, as in Perl.
func (d *decoder) hashBody(at int, m map[string]any, pairs int) error {
	if err := d.enter(at, tagHash); err != nil {
		return err
	}
	if cap(d.keys) == 0 {
		d.firstSlabs()
	}
	ks := len(d.keys)
	for range pairs {
		if err := d.item(d.pos, tagString); err != nil {
			return err
		}
		k, err := d.text("a hash key")
		if err != nil {
			return err
		}
		d.keys = append(d.keys, k)
	}
	for i := range pairs {
		v, err := d.value()
		if err != nil {
			return err
		}
		k := d.keys[ks+i]
		m[k] = v
		if d.phase == phaseInstance {
			if p, ok := v.(*pending); ok {
				d.holes = append(d.holes, hole{m: m, key: k, p: p})
			}
		}
	}
	clear(d.keys[ks:])
	d.keys = d.keys[:ks]
	d.depth--
	return nil
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
		if d.phase == phaseInstance {
			if p, ok := v.(*pending); ok {
				d.holes = append(d.holes, hole{a: a, i: i, p: p})
			}
		}
	}
	d.depth--
	return nil
}

// ref reads a reference to a scalar (or to another reference), after its
// '\'.
func (d *decoder) ref(at int) (any, error) {
	if err := d.enter(at, tagRef); err != nil {
		return nil, err
	}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	r := &serial.Ref{Value: v}
	if d.phase == phaseInstance {
		if p, ok := v.(*pending); ok {
			d.holes = append(d.holes, hole{r: r, p: p})
		}
	}
	d.depth--
	return r, nil
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
		pairs, err := d.hashHead(p)
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, min(pairs, 64))
		return serial.Blessed{Class: cls, Value: m}, d.hashBody(p, m, pairs)
	case tagArray:
		n, err := d.arrayHead(p)
		if err != nil {
			return nil, err
		}
		a, v := d.newArray(n)
		return serial.Blessed{Class: cls, Value: v}, d.arrayBody(p, a)
	case tagRef:
		if err := d.enter(p, tagRef); err != nil {
			return nil, err
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		if _, ok := v.(*pending); ok {
			return nil, d.fail(p, tagRef, ErrUnsupported, "a blessed scalar refers to a shared object not restored yet (a cycle through a blessed scalar)")
		}
		d.depth--
		return serial.Blessed{Class: cls, Value: v}, nil
	default:
		return nil, d.fail(p, c, ErrFormat, fmt.Sprintf("an object of class %q must hold a hash, an array or a scalar reference", cls))
	}
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
	n, err := d.count(at, tagRegexp)
	if err != nil {
		return nil, err
	}
	p, q, err := d.span(at, tagRegexp, n)
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
