package freezethaw

import (
	"slices"
	"strconv"
	"sync"
	"unsafe"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/internal/perlval"
)

// encoder writes one image the way FreezeThaw::freeze does. Perl walks
// the data once, counting every reference it meets; if none was met
// twice, that walk's output is the image. Otherwise it starts again with
// a table of the references met twice, in the order of their second
// sighting: first an empty object of each (so that every one exists
// before any refers to it), then the content of each, then the data, in
// which every such reference is written as '<' and its index. The
// encoder does the same: the first walk (counting) writes the image for
// the usual record that shares nothing, and the second (final) runs only
// when something was shared.
type encoder struct {
	buf      []byte
	maxDepth int
	depth    int
	final    bool // second walk: shared references become <k|
	// ids holds every reference met so far and its index in the shared
	// table, -1 while it is met once.
	ids      perlval.Seen[ident, int]
	multiple []any        // references met twice, by their second sighting
	classes  []string     // package ids, in order of their first use
	kvs      []perlval.KV // hash entries being sorted, stacked by depth
}

// ident is a Perl reference's identity: the address of what it points to
// (and, for a slice, its length), and the class it is blessed into, since
// a Go map may appear both plain and as a serial.Blessed's value. Only a
// blessed one has a class: Freeze refuses the class "".
type ident struct {
	p   uintptr
	n   int
	cls string
}

var encPool = sync.Pool{New: func() any { return new(encoder) }}

func getEncoder(o Options) *encoder {
	e := encPool.Get().(*encoder)
	e.maxDepth = o.depth()
	return e
}

func putEncoder(e *encoder) {
	e.buf = nil
	e.depth = 0
	e.final = false
	e.ids.Reset()
	clear(e.multiple)
	e.multiple = e.multiple[:0]
	clear(e.classes)
	e.classes = e.classes[:0]
	clear(e.kvs[:cap(e.kvs)])
	e.kvs = e.kvs[:0]
	encPool.Put(e)
}

// freeze appends freeze(v)'s image to dst: FreezeThaw freezes its
// argument list, so the value is the one element of the top array.
func (e *encoder) freeze(dst []byte, v any) ([]byte, error) {
	start := len(dst)
	e.buf = append(dst, signature+"@1|"...)
	if err := e.scalar(v); err != nil {
		return dst, err
	}
	if len(e.multiple) == 0 {
		return e.buf, nil
	}
	// Something is shared: write the table, then the data again. Package
	// ids start again from 0, as Perl renumbers them.
	e.final = true
	clear(e.classes)
	e.classes = e.classes[:0]
	e.buf = append(e.buf[:start], signature...)
	e.buf = append(e.buf, tagShared)
	e.num(len(e.multiple) - 1)
	for _, m := range e.multiple {
		e.empty(m)
	}
	for _, m := range e.multiple {
		if err := e.instance(m); err != nil {
			return dst, err
		}
	}
	e.buf = append(e.buf, "@1|"...)
	if err := e.scalar(v); err != nil {
		return dst, err
	}
	return e.buf, nil
}

// scalar writes the Perl scalar that stands for v: a container is the
// reference to it.
func (e *encoder) scalar(v any) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, tagUndef)
	case string:
		e.str(x)
	case map[string]any:
		return e.hash(x)
	case []any:
		return e.array(x)
	case int64:
		e.int(x)
	case int:
		e.int(int64(x))
	case float64:
		e.float(x)
	case bool:
		if x {
			e.str("1")
		} else {
			e.str("")
		}
	case []byte:
		e.str(unsafe.String(unsafe.SliceData(x), len(x)))
	case int32:
		e.int(int64(x))
	case int16:
		e.int(int64(x))
	case int8:
		e.int(int64(x))
	case uint:
		e.uint(uint64(x))
	case uint64:
		e.uint(x)
	case uint32:
		e.int(int64(x))
	case uint16:
		e.int(int64(x))
	case uint8:
		e.int(int64(x))
	case float32:
		e.float(float64(x))
	case *serial.Ref:
		if x == nil {
			e.buf = append(e.buf, tagUndef)
			return nil
		}
		return e.ref(x)
	case serial.Blessed:
		return e.object(x)
	case *serial.Blessed:
		if x == nil {
			e.buf = append(e.buf, tagUndef)
			return nil
		}
		return e.object(*x)
	default:
		return e.reflectScalar(v)
	}
	return nil
}

// num writes a count or an index: its digits and '|'.
func (e *encoder) num(n int) {
	e.buf = strconv.AppendInt(e.buf, int64(n), 10)
	e.buf = append(e.buf, '|')
}

// str writes a string as FreezeThaw does for a byte string: '$', the
// length in bytes, '|', the bytes.
func (e *encoder) str(s string) {
	e.buf = append(e.buf, tagString)
	e.num(len(s))
	e.buf = append(e.buf, s...)
}

// digits writes a number's text, held in d (at most 32 bytes), as a
// string.
func (e *encoder) digits(d []byte) {
	if n := len(d); n < 10 {
		e.buf = append(e.buf, tagString, byte('0'+n), '|')
	} else {
		e.buf = append(e.buf, tagString, byte('0'+n/10), byte('0'+n%10), '|')
	}
	e.buf = append(e.buf, d...)
}

func (e *encoder) int(i int64) {
	if i >= 0 && i < 10 {
		e.buf = append(e.buf, tagString, '1', '|', byte('0'+i))
		return
	}
	var tmp [24]byte
	e.digits(strconv.AppendInt(tmp[:0], i, 10))
}

func (e *encoder) uint(u uint64) {
	var tmp [24]byte
	e.digits(strconv.AppendUint(tmp[:0], u, 10))
}

// float writes a number as Perl stringifies it: "%.15g", but zero
// (negative zero too), the infinities and NaN as perlval.FloatWord
// spells them.
func (e *encoder) float(f float64) {
	if w, ok := perlval.FloatWord(f); ok {
		e.str(w)
		return
	}
	var tmp [32]byte
	e.digits(strconv.AppendFloat(tmp[:0], f, 'g', 15, 64))
}

func (e *encoder) enter() error {
	e.depth++
	if e.depth > e.maxDepth {
		return freezeError(ErrTooDeep, "nesting deeper than %d (a value that contains itself?)", e.maxDepth)
	}
	return nil
}

// again is Perl's bookkeeping for a reference about to be written, key
// being its identity. On the counting walk it records the first sighting
// and returns nil; at later ones it returns the reference's index in the
// shared table. On the final walk it returns that index for a reference
// in the table. A caller given an index writes a back-reference (backRef)
// instead of the reference.
func (e *encoder) again(key ident) *int {
	addr := e.ids.Find(key)
	if addr == nil {
		if !e.final {
			e.ids.Add(key, -1)
		}
		return nil
	}
	if e.final && *addr < 0 {
		return nil
	}
	return addr
}

// backRef writes '<' and *addr, the table index of a reference met
// again, putting v, what the table holds for it, in the table at its
// second sighting.
func (e *encoder) backRef(addr *int, v any) {
	if *addr < 0 {
		*addr = len(e.multiple)
		e.multiple = append(e.multiple, v)
	}
	e.buf = append(e.buf, tagBackRef)
	e.num(*addr)
}

func mapIdent(m map[string]any) ident { return ident{p: perlval.MapAddr(m)} }

// sliceIdent is the identity of a slice that has one: a slice of no
// capacity may share its address with every other, so it is never taken
// for a shared array.
func sliceIdent(a []any) (ident, bool) {
	if cap(a) == 0 {
		return ident{}, false
	}
	return ident{p: uintptr(unsafe.Pointer(unsafe.SliceData(a))), n: len(a)}, true
}

// objectIdent is the identity of a blessed hash or array. Other blessed
// values (a scalar, a reference) stand for a Perl reference Go has no
// address for, so they are never shared.
func objectIdent(b serial.Blessed) (ident, bool) {
	var id ident
	switch x := b.Value.(type) {
	case map[string]any:
		if x == nil {
			return id, false
		}
		id = mapIdent(x)
	case []any:
		var ok bool
		if id, ok = sliceIdent(x); !ok {
			return id, false
		}
	default:
		return id, false
	}
	id.cls = b.Class
	return id, true
}

func (e *encoder) hash(m map[string]any) error {
	if m != nil {
		if addr := e.again(mapIdent(m)); addr != nil {
			e.backRef(addr, m)
			return nil
		}
	}
	return e.hashBody(m)
}

// hashBody writes '%', twice the number of keys, the keys sorted as
// Perl's sort sorts byte strings, then the values in the same order.
func (e *encoder) hashBody(m map[string]any) error {
	if err := e.enter(); err != nil {
		return err
	}
	start := len(e.kvs)
	for k, v := range m {
		e.kvs = append(e.kvs, perlval.KV{K: k, V: v})
	}
	// Nested hashes stack their entries after these; if that moves e.kvs,
	// kvs keeps reading the old array, which nothing writes any more.
	kvs := e.kvs[start:]
	perlval.SortKVs(kvs)
	e.buf = append(e.buf, tagHash)
	e.num(2 * len(kvs))
	for i := range kvs {
		e.str(kvs[i].K)
	}
	for i := range kvs {
		if err := e.scalar(kvs[i].V); err != nil {
			return err
		}
	}
	clear(kvs)
	e.kvs = e.kvs[:start]
	e.depth--
	return nil
}

func (e *encoder) array(a []any) error {
	if k, ok := sliceIdent(a); ok {
		if addr := e.again(k); addr != nil {
			e.backRef(addr, a)
			return nil
		}
	}
	return e.arrayBody(a)
}

func (e *encoder) arrayBody(a []any) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.buf = append(e.buf, tagArray)
	e.num(len(a))
	for _, v := range a {
		if err := e.scalar(v); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}

func (e *encoder) ref(r *serial.Ref) error {
	if addr := e.again(ident{p: uintptr(unsafe.Pointer(r))}); addr != nil {
		e.backRef(addr, r)
		return nil
	}
	return e.refBody(r.Value)
}

// refBody writes '\' and the scalar a reference points to.
func (e *encoder) refBody(v any) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.buf = append(e.buf, tagRef)
	if err := e.scalar(v); err != nil {
		return err
	}
	e.depth--
	return nil
}

// object writes a blessed reference: '>', its package, its content. A
// serial.Blessed of class Regexp holding a string is a qr// object, which
// FreezeThaw writes as '/' and its pattern.
func (e *encoder) object(b serial.Blessed) error {
	if b.Class == "Regexp" {
		if s, ok := b.Value.(string); ok {
			e.buf = append(e.buf, tagRegexp)
			e.num(len(s))
			e.buf = append(e.buf, s...)
			return nil
		}
	}
	if b.Class == "" {
		return freezeError(ErrFreeze, "an object of class \"\" (Perl cannot thaw it)")
	}
	if k, ok := objectIdent(b); ok {
		if addr := e.again(k); addr != nil {
			e.backRef(addr, b)
			return nil
		}
	}
	e.buf = append(e.buf, tagObject)
	e.pkg(b.Class)
	return e.objectBody(b)
}

// pkg writes a package: the first time '>', its new id, and its name;
// after that ')' and the id.
func (e *encoder) pkg(cls string) {
	if i := slices.Index(e.classes, cls); i >= 0 {
		e.buf = append(e.buf, tagPackage)
		e.num(i)
		return
	}
	e.buf = append(e.buf, tagNewPackage)
	e.num(len(e.classes))
	e.classes = append(e.classes, cls)
	e.str(cls)
}

// objectBody writes what a blessed reference points to: a hash or an
// array body, or for a blessed scalar reference '\' and the scalar.
func (e *encoder) objectBody(b serial.Blessed) error {
	if err := e.enter(); err != nil {
		return err
	}
	var err error
	switch x := b.Value.(type) {
	case map[string]any:
		err = e.hashBody(x)
	case []any:
		err = e.arrayBody(x)
	default:
		if rv, ok := containerValue(x); ok {
			err = e.reflectBody(rv)
		} else {
			err = e.refBody(x)
		}
	}
	if err != nil {
		return err
	}
	e.depth--
	return nil
}

// empty writes a shared reference's entry in the first half of the
// table: an empty object of its type, blessed ones with '{' and their
// package.
func (e *encoder) empty(m any) {
	if b, ok := m.(serial.Blessed); ok {
		e.buf = append(e.buf, tagAllocate)
		e.pkg(b.Class)
		m = b.Value
	}
	switch m.(type) {
	case map[string]any:
		e.buf = append(e.buf, tagHash, '0', '|')
	case []any:
		e.buf = append(e.buf, tagArray, '0', '|')
	default: // *serial.Ref
		e.buf = append(e.buf, tagRef, tagUndef)
	}
}

// instance writes a shared reference's entry in the second half of the
// table: its content, blessed ones with '}' and their package.
func (e *encoder) instance(m any) error {
	switch x := m.(type) {
	case map[string]any:
		return e.hashBody(x)
	case []any:
		return e.arrayBody(x)
	case *serial.Ref:
		return e.refBody(x.Value)
	case serial.Blessed:
		e.buf = append(e.buf, tagInstance)
		e.pkg(x.Class)
		return e.objectBody(x)
	}
	return nil
}
