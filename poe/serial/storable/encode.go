package storable

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/internal/perlval"
)

// encoder writes one image. It counts tags exactly as Perl's thaw will,
// so that a container met a second time (shared or cyclic data) can be
// written as SX_OBJECT.
type encoder struct {
	buf      []byte
	maxDepth int
	depth    int
	tag      uint32
	seen     perlval.Seen[seenKey, uint32] // containers written, by tag
	classes  []string
	kvs      []perlval.KV // hash entries being sorted, stacked by depth
}

type seenKey struct {
	p uintptr
	n int
}

var encPool = sync.Pool{New: func() any { return new(encoder) }}

func getEncoder(o Options) *encoder {
	e := encPool.Get().(*encoder)
	e.maxDepth = o.depth()
	return e
}

func putEncoder(e *encoder) {
	e.buf = nil
	e.depth, e.tag = 0, 0
	e.seen.Reset()
	clear(e.classes)
	e.classes = e.classes[:0]
	clear(e.kvs[:cap(e.kvs)])
	e.kvs = e.kvs[:0]
	encPool.Put(e)
}

func (e *encoder) freeze(dst []byte, v any) ([]byte, error) {
	e.buf = append(dst, netorderMajor, minorVersion)
	if err := e.top(v); err != nil {
		return dst, err
	}
	return e.buf, nil
}

// top writes the value nfreeze($ref) stores: a container's body, or for a
// scalar the scalar itself (nfreeze(\$scalar)).
func (e *encoder) top(v any) error {
	switch x := v.(type) {
	case map[string]any:
		return e.hash(x)
	case []any:
		return e.array(x)
	case serial.Blessed:
		return e.blessed(x)
	case *serial.Blessed:
		if x != nil {
			return e.blessed(*x)
		}
	}
	if isScalarType(v) {
		return e.sv(v)
	}
	return e.topReflect(v)
}

// sv writes the Perl scalar that stands for v inside a container: a
// container becomes a reference to it (SX_REF before the body).
func (e *encoder) sv(v any) error {
	switch x := v.(type) {
	case nil:
		e.op(sxUndef)
	case string:
		e.str(x)
	case []byte:
		e.bytes(x)
	case bool:
		if x {
			e.bytesStr("1")
		} else {
			e.bytesStr("")
		}
	case int:
		e.int(int64(x))
	case int64:
		e.int(x)
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
	case float64:
		e.float(x)
	case float32:
		e.float(float64(x))
	case map[string]any:
		return e.ref(func() error { return e.hash(x) })
	case []any:
		return e.ref(func() error { return e.array(x) })
	case *serial.Ref:
		if x == nil {
			e.op(sxUndef)
			return nil
		}
		// A Ref met again (a reference to itself, or one stored twice) is
		// a back-reference, as Perl writes it, not a second copy.
		if t, ok := e.shared(seenKey{p: uintptr(unsafe.Pointer(x))}); ok {
			e.object(t)
			return nil
		}
		return e.ref(func() error { return e.sv(x.Value) })
	case serial.Blessed:
		return e.ref(func() error { return e.blessed(x) })
	case *serial.Blessed:
		if x == nil {
			e.op(sxUndef)
			return nil
		}
		return e.ref(func() error { return e.blessed(*x) })
	default:
		return e.svReflect(v)
	}
	return nil
}

func isScalarType(v any) bool {
	switch v.(type) {
	case nil, string, []byte, bool, int, int64, int32, int16, int8,
		uint, uint64, uint32, uint16, uint8, float64, float32, *serial.Ref:
		return true
	}
	return false
}

// op writes an opcode that takes a tag.
func (e *encoder) op(b byte) {
	e.buf = append(e.buf, b)
	e.tag++
}

func (e *encoder) ref(body func() error) error {
	e.op(sxRef)
	e.depth++
	if e.depth > e.maxDepth {
		return fmt.Errorf("storable: freeze: %w: nesting deeper than %d (a value that contains itself?)", ErrTooDeep, e.maxDepth)
	}
	err := body()
	e.depth--
	return err
}

func (e *encoder) len4(n int) {
	e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(n))
}

// int writes an integer as Perl does in network order: SX_BYTE,
// SX_NETINT, or beyond 32 bits its decimal string.
func (e *encoder) int(i int64) {
	switch {
	case i >= -128 && i <= 127:
		e.buf = append(e.buf, sxByte, byte(i+128))
		e.tag++
	case i >= math.MinInt32 && i <= math.MaxInt32:
		e.op(sxNetint)
		e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(int32(i)))
	default:
		e.op(sxScalar)
		n := len(e.buf)
		e.buf = append(e.buf, 0)
		e.buf = strconv.AppendInt(e.buf, i, 10)
		e.buf[n] = byte(len(e.buf) - n - 1)
	}
}

func (e *encoder) uint(u uint64) {
	if u <= math.MaxInt64 {
		e.int(int64(u))
		return
	}
	e.op(sxScalar)
	n := len(e.buf)
	e.buf = append(e.buf, 0)
	e.buf = strconv.AppendUint(e.buf, u, 10)
	e.buf[n] = byte(len(e.buf) - n - 1)
}

// float writes a number as Perl does in network order: an integral value
// below 2**53 as an integer, the infinities and NaN as perlval.FloatWord
// spells them, anything else as its "%.15g" string.
func (e *encoder) float(f float64) {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		e.int(int64(f))
		return
	}
	if w, ok := perlval.FloatWord(f); ok {
		e.bytesStr(w)
		return
	}
	e.op(sxScalar)
	n := len(e.buf)
	e.buf = append(e.buf, 0)
	e.buf = strconv.AppendFloat(e.buf, f, 'g', 15, 64)
	e.buf[n] = byte(len(e.buf) - n - 1)
}

// str writes a Go string: a character string (SX_UTF8STR) when it holds
// valid non-ASCII UTF-8, else a byte string.
func (e *encoder) str(s string) {
	if len(s) > 255 {
		e.longStr(s)
		return
	}
	if isCharString(s) {
		e.strOp(s, sxUTF8Str, sxLUTF8Str)
		return
	}
	e.strOp(s, sxScalar, sxLScalar)
}

// longStr writes a string over 255 bytes: SX_LSCALAR, or SX_LUTF8STR
// for a character string. The bytes are copied and checked for non-ASCII
// in one pass over s where there is assembly for it (copyASCII); the
// check resumes where the copy found a non-ASCII byte.
func (e *encoder) longStr(s string) {
	at := len(e.buf)
	e.buf = append(e.buf, sxLScalar)
	e.len4(len(s))
	e.tag++
	n := len(e.buf)
	e.buf = slices.Grow(e.buf, len(s))[:n+len(s)]
	i := copyASCII(e.buf[n:], s)
	copy(e.buf[n+i:], s[i:])
	if isCharString(s[i:]) {
		e.buf[at] = sxLUTF8Str
	}
}

func (e *encoder) bytesStr(s string) { e.strOp(s, sxScalar, sxLScalar) }

func (e *encoder) bytes(b []byte) {
	e.bytesStr(unsafe.String(unsafe.SliceData(b), len(b)))
}

func (e *encoder) strOp(s string, short, long byte) {
	if len(s) <= 255 {
		e.buf = append(e.buf, short, byte(len(s)))
	} else {
		e.buf = append(e.buf, long)
		e.len4(len(s))
	}
	e.tag++
	e.buf = append(e.buf, s...)
}

// isCharString reports whether s must travel with Perl's UTF-8 flag: it
// has a byte above 0x7F and is valid UTF-8. The ASCII scan reads 64 bytes
// a turn because for long strings it costs as much as the copy, and ends
// with loads that overlap what was read before rather than a loop over
// the last bytes, since most strings (hash keys, IKC names) are short.
func isCharString(s string) bool {
	const hi = 0x8080808080808080
	n := len(s)
	b := unsafe.Slice(unsafe.StringData(s), n)
	le := binary.LittleEndian
	var w uint64
	switch {
	case n >= 8:
		i := 0
		for ; i+64 <= n; i += 64 {
			q := b[i : i+64]
			w = le.Uint64(q) | le.Uint64(q[8:]) | le.Uint64(q[16:]) | le.Uint64(q[24:]) |
				le.Uint64(q[32:]) | le.Uint64(q[40:]) | le.Uint64(q[48:]) | le.Uint64(q[56:])
			if w&hi != 0 {
				return utf8.ValidString(s[i:])
			}
		}
		for ; i+8 <= n; i += 8 {
			if le.Uint64(b[i:])&hi != 0 {
				return utf8.ValidString(s[i:])
			}
		}
		if i == n || le.Uint64(b[n-8:])&hi == 0 {
			return false
		}
		return utf8.ValidString(s[i:])
	case n >= 4:
		w = uint64(le.Uint32(b) | le.Uint32(b[n-4:]))
	case n >= 2:
		w = uint64(le.Uint16(b) | le.Uint16(b[n-2:]))
	case n == 1:
		w = uint64(b[0])
	}
	return w&hi != 0 && utf8.ValidString(s)
}

// shared returns the tag of a container already written, or records this
// one as written at the next tag.
func (e *encoder) shared(k seenKey) (uint32, bool) {
	if t := e.seen.Find(k); t != nil {
		return *t, true
	}
	e.seen.Add(k, e.tag)
	return 0, false
}

func (e *encoder) object(t uint32) {
	e.buf = append(e.buf, sxObject)
	e.len4(int(t))
}

func mapKey(m map[string]any) seenKey { return seenKey{p: perlval.MapAddr(m)} }

func (e *encoder) hash(m map[string]any) error {
	if t, ok := e.shared(mapKey(m)); ok {
		e.object(t)
		return nil
	}
	start := len(e.kvs)
	flagged := false
	for k, v := range m {
		e.kvs = append(e.kvs, perlval.KV{K: k, V: v})
		if !flagged && isCharString(k) {
			flagged = true
		}
	}
	kvs := e.kvs[start:]
	perlval.SortKVs(kvs)
	inPerlKeyOrder(kvs, func(x perlval.KV) string { return x.K }, flagged)
	e.hashHead(len(kvs), flagged)
	for i := range kvs {
		if err := e.sv(kvs[i].V); err != nil {
			return err
		}
		e.key(kvs[i].K, flagged)
	}
	clear(kvs)
	e.kvs = e.kvs[:start]
	return nil
}

// inPerlKeyOrder puts a hash's entries, sorted by their keys' bytes, in
// the order Perl's canonical nfreeze gives them, key(x) being x's key and
// flagged telling whether the hash has UTF-8 keys. Perl compares the keys
// of such a hash as characters (sv_cmp), a key that is not UTF-8 being
// Latin-1, so the byte key "\xff" (U+00FF) comes before "Ը" (U+0538,
// bytes d4 b8) though its byte is greater. Byte order is that order
// unless a key is not valid UTF-8 (bytes above 0x7F that are not UTF-8):
// only then are the entries sorted again, by comparePerlKeys. Hashes
// without UTF-8 keys keep byte order.
func inPerlKeyOrder[T any](xs []T, key func(T) string, flagged bool) {
	if flagged && slices.ContainsFunc(xs, func(x T) bool { return !utf8.ValidString(key(x)) }) {
		slices.SortFunc(xs, func(a, b T) int { return comparePerlKeys(key(a), key(b)) })
	}
}

// comparePerlKeys compares two keys as Perl's sv_cmp compares them once
// one is UTF-8: character by character, the characters of a key that is
// not UTF-8 being its bytes.
func comparePerlKeys(a, b string) int {
	ac, bc := isCharString(a), isCharString(b)
	for len(a) > 0 && len(b) > 0 {
		ra, na := perlChar(a, ac)
		rb, nb := perlChar(b, bc)
		if ra != rb {
			return cmp.Compare(ra, rb)
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

func perlChar(s string, chars bool) (rune, int) {
	if chars {
		return utf8.DecodeRuneInString(s)
	}
	return rune(s[0]), 1
}

func (e *encoder) hashHead(n int, flagged bool) {
	if flagged {
		e.buf = append(e.buf, sxFlagHash, 0)
	} else {
		e.buf = append(e.buf, sxHash)
	}
	e.tag++
	e.len4(n)
}

func (e *encoder) key(k string, flagged bool) {
	if flagged {
		if isCharString(k) {
			e.buf = append(e.buf, keyUTF8)
		} else {
			e.buf = append(e.buf, 0)
		}
	}
	e.len4(len(k))
	e.buf = append(e.buf, k...)
}

func (e *encoder) array(a []any) error {
	if k, ok := sliceKey(a); ok {
		if t, ok := e.shared(k); ok {
			e.object(t)
			return nil
		}
	}
	e.op(sxArray)
	e.len4(len(a))
	for _, v := range a {
		if err := e.sv(v); err != nil {
			return err
		}
	}
	return nil
}

// blessed writes the bless prefix (SX_BLESS the first time a class is
// used, SX_IX_BLESS after) and then the object's body.
func (e *encoder) blessed(b serial.Blessed) error {
	// A blessed container met again is a back-reference; met for the
	// first time, its body records itself, at its own tag.
	if k, ok := containerKey(b.Value); ok {
		if t := e.seen.Find(k); t != nil {
			e.object(*t)
			return nil
		}
	}
	e.blessPrefix(b.Class)
	if isContainer(b.Value) {
		return e.top(b.Value)
	}
	return e.sv(b.Value)
}

func containerKey(v any) (seenKey, bool) {
	switch x := v.(type) {
	case map[string]any:
		return mapKey(x), true
	case []any:
		return sliceKey(x)
	}
	return seenKey{}, false
}

// sliceKey is the identity of an array: an empty one has none.
func sliceKey(a []any) (seenKey, bool) {
	if len(a) == 0 {
		return seenKey{}, false
	}
	return seenKey{uintptr(unsafe.Pointer(unsafe.SliceData(a))), len(a)}, true
}

func (e *encoder) blessPrefix(cls string) {
	if i := slices.Index(e.classes, cls); i >= 0 {
		e.buf = append(e.buf, sxIxBless)
		e.len1or4(i)
		return
	}
	e.classes = append(e.classes, cls)
	e.buf = append(e.buf, sxBless)
	e.len1or4(len(cls))
	e.buf = append(e.buf, cls...)
}

func (e *encoder) len1or4(n int) {
	if n <= 127 {
		e.buf = append(e.buf, byte(n))
		return
	}
	e.buf = append(e.buf, 0x80)
	e.len4(n)
}
