package specifier

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Target prefixes a string that does not start with "poe:" with "poe://",
// as IKC's post and call do with their target and as specifier_part does
// before it parses: "Srv/echo/st" becomes "poe://Srv/echo/st", so the
// first word is the kernel.
func Target(s string) string {
	if strings.HasPrefix(s, Scheme) {
		return s
	}
	return "poe://" + s
}

// ParseTarget parses s after Target has prefixed it, as specifier_part
// does: "Pulse" and "Pulse/x" both name the kernel Pulse.
func ParseTarget(s string) (Specifier, error) {
	return Parse(Target(s))
}

// Relative makes s relative to the remote kernel as ClientLite's post,
// call and post_respond do: a string not starting with "poe:" becomes
// "poe://<remote>/<s>"; a full specifier is returned unchanged.
func Relative(remote, s string) string {
	if strings.HasPrefix(s, Scheme) {
		return s
	}
	return "poe://" + remote + "/" + s
}

// FromValue accepts a specifier in either form it travels in, as
// specifier_parse does: a string is parsed; a hash (map[string]any, from
// a serializer) is taken as is, missing or undef keys becoming "" and
// integer session IDs their decimal text, without validation. Any other
// value, like undef or an array, is an error.
func FromValue(v any) (Specifier, error) {
	switch v := v.(type) {
	case string:
		return Parse(v)
	case Specifier:
		return v, nil
	case map[string]any:
		var s Specifier
		var err error
		if s.Kernel, err = field(v, "kernel"); err != nil {
			return Specifier{}, err
		}
		if s.Session, err = field(v, "session"); err != nil {
			return Specifier{}, err
		}
		if s.State, err = field(v, "state"); err != nil {
			return Specifier{}, err
		}
		return s, nil
	case nil:
		return Specifier{}, fmt.Errorf("%w: undef", ErrInvalid)
	default:
		return Specifier{}, fmt.Errorf("%w: a %T is neither a string nor a hash", ErrInvalid, v)
	}
}

// Name formats any value IKC accepts as a specifier as specifier_name
// does: a string is returned unchanged, a hash or Specifier is formatted
// by String, and an array [session, state] means an empty kernel. It is
// what IKC error messages use to show a request's event and from.
func Name(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case []any:
		if len(v) != 2 {
			return "", fmt.Errorf("%w: an array specifier has %d elements, want [session, state]", ErrInvalid, len(v))
		}
		var s Specifier
		var err error
		if s.Session, err = Scalar(v[0]); err != nil {
			return "", err
		}
		if s.State, err = Scalar(v[1]); err != nil {
			return "", err
		}
		return s.String(), nil
	default:
		s, err := FromValue(v)
		if err != nil {
			return "", err
		}
		return s.String(), nil
	}
}

func field(m map[string]any, key string) (string, error) {
	s, err := Scalar(m[key])
	if err != nil {
		return "", fmt.Errorf("%w: key %q: %v", ErrInvalid, key, err)
	}
	return s, nil
}

// Scalar turns a plain scalar of the serializer data model into the
// string Perl would see: undef is "", integers their decimal text. It
// refuses references (maps, slices, objects), which Perl would stringify
// as "HASH(0x…)" and which are never meant as names.
func Scalar(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case int:
		return strconv.Itoa(v), nil
	case int32:
		return strconv.FormatInt(int64(v), 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case uint32:
		return strconv.FormatUint(uint64(v), 10), nil
	case float64:
		// Perl prints infinity as "Inf", not Go's "+Inf", and a
		// negative zero as "0".
		switch {
		case math.IsInf(v, 1):
			return "Inf", nil
		case v == 0:
			return "0", nil
		}
		return strconv.FormatFloat(v, 'g', 15, 64), nil
	case bool:
		if v {
			return "1", nil
		}
		return "", nil
	case []byte:
		return string(v), nil
	}
	// The other sizes of number, and named strings and numbers (type
	// ID int), which a Go program may pass where the decoder gives the
	// types above.
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return Scalar(rv.Float())
	case reflect.Bool:
		return Scalar(rv.Bool())
	case reflect.String:
		return rv.String(), nil
	}
	return "", fmt.Errorf("a %T is not a scalar", v)
}
