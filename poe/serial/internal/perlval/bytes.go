package perlval

import "reflect"

// Bytes returns the octets of rv, a slice or array of a byte kind (byte
// or a named type of it): a slice's own, an array's copied. An array of
// a named byte type is copied element by element, which reflect.Copy
// into a []byte refuses.
func Bytes(rv reflect.Value) []byte {
	if rv.Kind() == reflect.Slice {
		return rv.Bytes()
	}
	b := make([]byte, rv.Len())
	if rv.Type().Elem() == byteType {
		reflect.Copy(reflect.ValueOf(b), rv)
		return b
	}
	for i := range b {
		b[i] = byte(rv.Index(i).Uint())
	}
	return b
}

var byteType = reflect.TypeFor[byte]()
