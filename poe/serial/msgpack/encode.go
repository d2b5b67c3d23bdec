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
// caller's buffer.
type appendWriter struct{ b []byte }

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
	mp.RegisterExtEncoder(ExtBlessed, serial.Blessed{}, func(_ *mp.Encoder, v reflect.Value) ([]byte, error) {
		return blessedPayload(v.Interface().(serial.Blessed))
	})
	mp.RegisterExtEncoder(ExtRef, (*serial.Ref)(nil), func(_ *mp.Encoder, v reflect.Value) ([]byte, error) {
		return Freeze(v.Interface().(*serial.Ref).Value)
	})
}

func blessedPayload(b serial.Blessed) ([]byte, error) {
	return Freeze([]any{b.Class, b.Value})
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
