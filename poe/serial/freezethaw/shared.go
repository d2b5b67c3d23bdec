package freezethaw

import (
	"errors"
	"fmt"
	"sync"

	"github.com/poe-go/poe/poe/serial"
)

// Reading the shared-object table. An image in which some reference
// appears twice starts "FrT;!n|" and lists n+1 objects twice: first each
// one empty ("%0|", "@0|", "\_", blessed ones as '{', package, empty
// body), then each one's content ('}' and package for the blessed ones),
// and only then the data. Anywhere after the first half, "<k|" stands
// for object k. Perl makes the empty objects first and copies each
// content into its object afterwards, so that a reference to an object
// whose content comes later is already the right reference.
//
// Go cannot grow an empty slice in place, so an array object is made
// when its content starts (its length is known then) and a blessed
// scalar once its content is read. A "<k|" met in the contents before
// object k is made leaves a pending marker where the value goes (an
// array element, a hash value, a reference's target), and the place is
// filled once the table is complete.
//
// A serial.Blessed holds its scalar by value, so a blessed scalar
// reference whose target is such a marker is a marker too, one that
// wraps what it stands for in the class once that is made. A blessed
// scalar of the table itself may end up made only then: it is resolved,
// through any chain of such scalars, before the places are filled. A
// chain that leads back to where it started has no Go value and is
// refused.

// Kinds of shared objects, from their empty form.
const (
	kindHash   = iota + 1 // %0|: the map is made at once
	kindArray             // @0|: made when its content starts
	kindRef               // \_: the *serial.Ref is made at once
	kindScalar            // a blessed \_: made when its content is read
	kindRegexp            // /len|: made when its content is read
)

type sharedObj struct {
	val  any // the object's final Go value, nil until it is made
	kind uint8
	cls  string // the package it is blessed into, or ""
	// later is what a blessed scalar of the table waits for when its
	// target was not made when its content, at offset at, was read;
	// resolving marks it while it is being resolved, to find a cycle.
	later     *pending
	at        int
	resolving bool
}

// blessed returns v, the object's own value, as the object: blessed into
// its package if it has one.
func (o *sharedObj) blessed(v any) any {
	if o.cls == "" {
		return v
	}
	return serial.Blessed{Class: o.cls, Value: v}
}

// pending marks a place that will hold shared object k, or, when cls is
// set, the value that in stands for blessed into cls (a blessed scalar
// reference to it). Only the table's contents can name an object not made
// yet: once they are read, every object is.
type pending struct {
	k   int
	cls string
	in  *pending
}

// hole is a place holding a pending marker: element i of a, the value of
// key in m, or r's target.
type hole struct {
	a   []any
	i   int
	m   map[string]any
	key string
	r   *serial.Ref
	p   *pending
}

// table reads the shared-object table, at d.pos its '!'.
func (d *decoder) table() error {
	at := d.pos
	d.pos++
	last, err := d.count(at, tagShared)
	if err != nil {
		return err
	}
	// Every object takes at least 4 bytes: "\_" twice.
	n := last + 1
	if left := len(d.data) - d.pos; n > left/4 {
		return d.fail(at, tagShared, ErrLength, fmt.Sprintf("claims %d shared objects, only %d bytes left", n, left))
	}
	if n > d.maxItems-d.items {
		return d.fail(at, tagShared, ErrTooMany, fmt.Sprintf("%d shared objects, limit %d items", n, d.maxItems))
	}
	d.shared = make([]sharedObj, n)
	for k := range d.shared {
		if err := d.allocate(k); err != nil {
			return err
		}
	}
	for k := range d.shared {
		if err := d.instantiate(k); err != nil {
			return err
		}
	}
	for k := range d.shared {
		if _, err := d.resolve(k); err != nil {
			return err
		}
	}
	for _, h := range d.holes {
		v, err := d.stands(h.p)
		if err != nil {
			return err
		}
		switch {
		case h.a != nil:
			h.a[h.i] = v
		case h.m != nil:
			// A later duplicate of the key may have replaced the marker.
			if cur, ok := h.m[h.key].(*pending); ok && cur == h.p {
				h.m[h.key] = v
			}
		default:
			h.r.Value = v
		}
	}
	d.holes = nil
	return nil
}

// resolve returns shared object k, first making it if it is a blessed
// scalar whose target the table made only after its content was read.
func (d *decoder) resolve(k int) (any, error) {
	o := &d.shared[k]
	if o.val != nil || o.later == nil {
		return o.val, nil
	}
	if o.resolving {
		return nil, d.fail(o.at, tagRef, ErrUnsupported, fmt.Sprintf("shared object %d, a blessed scalar of class %q, leads back to itself: a serial.Blessed cannot hold itself", k, o.cls))
	}
	o.resolving = true
	v, err := d.stands(o.later)
	if err != nil {
		return nil, err
	}
	o.val, o.later, o.resolving = v, nil, false
	return v, nil
}

// stands returns the value p stands for, once the table is read.
func (d *decoder) stands(p *pending) (any, error) {
	if p.in == nil {
		return d.resolve(p.k)
	}
	v, err := d.stands(p.in)
	if err != nil {
		return nil, err
	}
	return serial.Blessed{Class: p.cls, Value: v}, nil
}

// tableItem starts an item of the shared table at the read position: it
// returns its offset, counted against MaxItems, or an error when the
// image ends there or has too many items.
func (d *decoder) tableItem() (int, error) {
	at := d.pos
	if at >= len(d.data) {
		return at, d.truncated(at, 0)
	}
	return at, d.item(at, d.data[at])
}

// allocate reads object k's empty form.
func (d *decoder) allocate(k int) error {
	at, err := d.tableItem()
	if err != nil {
		return err
	}
	o := &d.shared[k]
	if d.data[at] == tagAllocate {
		d.pos++
		cls, err := d.pkg(at)
		if err != nil {
			return err
		}
		o.cls = cls
	}
	p := d.pos
	if p >= len(d.data) {
		return d.truncated(p, 0)
	}
	c := d.data[p]
	d.pos++
	switch c {
	case tagHash, tagArray:
		n, err := d.count(p, c)
		if err != nil {
			return err
		}
		if n != 0 {
			return d.fail(p, c, ErrFormat, fmt.Sprintf("shared object %d: its first entry must be empty, has count %d", k, n))
		}
		if c == tagArray {
			o.kind = kindArray
			return nil
		}
		o.kind, o.val = kindHash, o.blessed(map[string]any{})
	case tagRef:
		if d.pos >= len(d.data) {
			return d.truncated(d.pos, c)
		}
		if d.data[d.pos] != tagUndef {
			return d.fail(d.pos, c, ErrFormat, fmt.Sprintf("shared object %d: its first entry must be empty (\\_)", k))
		}
		d.pos++
		if o.cls != "" {
			o.kind = kindScalar
			return nil
		}
		o.kind, o.val = kindRef, &serial.Ref{}
	case tagRegexp:
		if o.cls != "" {
			return d.fail(p, c, ErrFormat, fmt.Sprintf("shared object %d: a regexp after a package", k))
		}
		if _, _, err := d.span(p, c); err != nil {
			return err
		}
		o.kind = kindRegexp
	case tagBackRef:
		return d.fail(p, c, ErrBackRef, fmt.Sprintf("shared object %d's empty form names another", k))
	default:
		return d.badTag(p, c, fmt.Sprintf("shared object %d's empty form", k))
	}
	return nil
}

// instantiate reads object k's content.
func (d *decoder) instantiate(k int) error {
	at, err := d.tableItem()
	if err != nil {
		return err
	}
	o := &d.shared[k]
	if o.cls != "" {
		if d.data[at] != tagInstance {
			return d.fail(at, d.data[at], ErrFormat, fmt.Sprintf("shared object %d is an object of class %q: want '}' and its package", k, o.cls))
		}
		d.pos++
		cls, err := d.pkg(at)
		if err != nil {
			return err
		}
		if cls != o.cls {
			return d.fail(at, tagInstance, ErrFormat, fmt.Sprintf("shared object %d was made as %q, filled as %q", k, o.cls, cls))
		}
	}
	p := d.pos
	if p >= len(d.data) {
		return d.truncated(p, 0)
	}
	c := d.data[p]
	d.pos++
	want := [...]byte{kindHash: tagHash, kindArray: tagArray, kindRef: tagRef, kindScalar: tagRef, kindRegexp: tagRegexp}[o.kind]
	if c != want {
		return d.fail(p, c, ErrFormat, fmt.Sprintf("shared object %d was made as %s, its content is %s", k, tagName(want), tagName(c)))
	}
	switch o.kind {
	case kindHash:
		m, ok := o.val.(map[string]any)
		if !ok {
			m = o.val.(serial.Blessed).Value.(map[string]any)
		}
		_, err := d.hash(p, m)
		return err
	case kindArray:
		n, err := d.arrayHead(p)
		if err != nil {
			return err
		}
		// An array some image shares keeps an address of its own even
		// when empty, so that freezing it again shares it again.
		var a []any
		var v any
		if n == 0 {
			a = make([]any, 0, 1)
			v = a
		} else {
			a, v = d.newArray(n)
		}
		o.val = o.blessed(v)
		return d.arrayBody(p, a)
	case kindRef:
		return d.ref(p, o.val.(*serial.Ref))
	case kindScalar:
		var v any
		if v, err = d.scalarObject(p, o.cls); err == nil {
			if later, ok := v.(*pending); ok {
				o.later, o.at = later, p // made once the table is complete
			} else {
				o.val = v
			}
		}
	default: // kindRegexp
		o.val, err = d.regexp(p)
	}
	return err
}

// backRef reads "<k|", after its '<': shared object k, or a marker for
// it while the table's contents are read and it is not made yet. (The
// table's empty objects name none: allocate reads no value.)
func (d *decoder) backRef(at int) (any, error) {
	k, err := d.count(at, tagBackRef)
	if err != nil {
		return nil, err
	}
	switch {
	case d.shared == nil:
		return nil, d.fail(at, tagBackRef, ErrBackRef, fmt.Sprintf("object %d, but the image has no shared-object table", k))
	case k >= len(d.shared):
		return nil, d.fail(at, tagBackRef, ErrBackRef, fmt.Sprintf("object %d, the table has %d", k, len(d.shared)))
	}
	if v := d.shared[k].val; v != nil {
		return v, nil
	}
	return &pending{k: k}, nil
}

// scratchPool holds the buffers checkSharedDepth freezes into.
var scratchPool = sync.Pool{New: func() any { return new([]byte) }}

// checkSharedDepth makes sure a value thawed through a shared-object
// table nests no deeper than MaxDepth as Freeze walks it: the table keeps
// the image flat, but the objects it links may form a long chain. Only
// Freeze's first walk is made: the second, through the table, writes each
// object's content with what it shares as back references, so it never
// goes deeper than the first.
func (d *decoder) checkSharedDepth(at int, v any) error {
	e := getEncoder(Options{MaxDepth: d.maxDepth})
	scratch := scratchPool.Get().(*[]byte)
	e.buf = (*scratch)[:0]
	err := e.scalar(v)
	out := e.buf
	putEncoder(e)
	if cap(out) <= 1<<16 {
		*scratch = out
	}
	scratchPool.Put(scratch)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTooDeep):
		return d.fail(at, tagShared, ErrTooDeep, fmt.Sprintf("shared objects link deeper than %d", d.maxDepth))
	}
	return d.fail(at, tagShared, ErrUnsupported, err.Error())
}
