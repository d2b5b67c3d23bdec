package msgpack

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"sync"

	"github.com/poe-go/poe/poe/serial"
	mp "github.com/vmihailenco/msgpack/v5"
)

// appendWriter lets the library's Encoder write straight into the
// caller's buffer. e is the encoder it belongs to, for the extension
// encoders the library calls back (see payload).
type appendWriter struct {
	b []byte
	e *encoder
}

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *appendWriter) WriteByte(c byte) error {
	w.b = append(w.b, c)
	return nil
}

func (w *appendWriter) WriteString(s string) (int, error) {
	w.b = append(w.b, s...)
	return len(s), nil
}

type encoder struct {
	w        appendWriter
	enc      *mp.Encoder
	depth    int
	maxDepth int
}

var encPool = sync.Pool{New: func() any {
	e := &encoder{}
	e.w.e = e
	e.enc = mp.NewEncoder(&e.w)
	e.enc.SetCustomStructTag("ikc")
	return e
}}

func getEncoder(dst []byte, maxDepth int) *encoder {
	e := encPool.Get().(*encoder)
	e.w.b = dst
	e.depth, e.maxDepth = 0, maxDepth
	return e
}

func putEncoder(e *encoder) {
	e.w.b = nil
	encPool.Put(e)
}

func init() {
	mp.RegisterExtEncoder(ExtBlessed, serial.Blessed{}, func(enc *mp.Encoder, v reflect.Value) ([]byte, error) {
		return blessedPayload(enc, v.Interface().(serial.Blessed))
	})
	mp.RegisterExtEncoder(ExtRef, (*serial.Ref)(nil), func(enc *mp.Encoder, v reflect.Value) ([]byte, error) {
		return payload(enc, v.Interface().(*serial.Ref).Value)
	})
}

// blessedPayload is the ext 1 payload of a Blessed the library meets inside
// a typed value ([]serial.Blessed, a struct field, ...): [class, value].
func blessedPayload(enc *mp.Encoder, b serial.Blessed) ([]byte, error) {
	return payload(enc, []any{b.Class, b.Value})
}

// payload freezes an extension's payload for the library. It goes on
// counting from the depth of the Freeze that handed the typed value to
// the library, under that Freeze's limit: starting afresh at each
// extension (as a plain Freeze did) let a Blessed that contains itself
// through a typed slice recurse until the stack overflowed, where Freeze
// promises to refuse it, and ignored a Serializer's MaxDepth.
func payload(enc *mp.Encoder, v any) ([]byte, error) {
	depth, maxDepth := 0, Default.maxDepth
	if w, ok := enc.Writer().(*appendWriter); ok && w.e != nil {
		depth, maxDepth = w.e.depth, w.e.maxDepth
	}
	return freezeAt(nil, v, depth, maxDepth)
}

func (e *encoder) value(v any) error {
	e.depth++
	if e.depth > e.maxDepth {
		return fmt.Errorf("msgpack: freeze: %w: deeper than %d (a value that contains itself?)", ErrTooDeep, e.maxDepth)
	}
	var err error
	b := e.w.b
	switch x := v.(type) {
	case nil:
		e.w.b = AppendNil(b)
	case string:
		e.w.b = AppendString(b, x)
	case []byte:
		if x == nil {
			e.w.b = AppendNil(b)
		} else {
			e.w.b = AppendBytes(b, x)
		}
	case bool:
		e.w.b = AppendBool(b, x)
	case int:
		e.w.b = AppendInt(b, int64(x))
	case int64:
		e.w.b = AppendInt(b, x)
	case int32:
		e.w.b = AppendInt(b, int64(x))
	case uint64:
		e.w.b = AppendUint(b, x)
	case uint:
		e.w.b = AppendUint(b, uint64(x))
	case uint32:
		e.w.b = AppendUint(b, uint64(x))
	case float64:
		e.w.b = AppendFloat64(b, x)
	case map[string]any:
		err = e.hash(x)
	case []any:
		e.w.b = AppendArrayHeader(b, len(x))
		for _, el := range x {
			if err = e.value(el); err != nil {
				break
			}
		}
	case serial.Blessed:
		err = e.ext(ExtBlessed, []any{x.Class, x.Value})
	case *serial.Blessed:
		if x == nil {
			e.w.b = AppendNil(b)
		} else {
			err = e.ext(ExtBlessed, []any{x.Class, x.Value})
		}
	case *serial.Ref:
		if x == nil {
			e.w.b = AppendNil(b)
		} else {
			err = e.ext(ExtRef, x.Value)
		}
	default:
		if err = checkTypedDepth(v, e.depth, e.maxDepth); err != nil {
			break
		}
		if err = e.enc.Encode(v); err != nil {
			err = fmt.Errorf("msgpack: freeze %T: %w", v, err)
		}
	}
	e.depth--
	return err
}

func (e *encoder) hash(m map[string]any) error {
	e.w.b = AppendMapHeader(e.w.b, len(m))
	for k, v := range m {
		e.w.b = AppendString(e.w.b, k)
		if err := e.value(v); err != nil {
			return err
		}
	}
	return nil
}

// ext writes an extension as ext32 (header c9, 4-byte length, type) and
// patches the length once the payload is written in place.
func (e *encoder) ext(id int8, payload any) error {
	start := len(e.w.b)
	e.w.b = append(e.w.b, 0xc9, 0, 0, 0, 0, byte(id))
	if err := e.value(payload); err != nil {
		return err
	}
	binary.BigEndian.PutUint32(e.w.b[start+1:], uint32(len(e.w.b)-start-6))
	return nil
}
