package specifier

import (
	"errors"
	"math"
	"testing"

	"github.com/poe-go/poe/poe/serial"
)

// TestScalar checks that Scalar gives the string Perl sees when it
// interpolates a thawed scalar ("$v"): undef is "", integers their
// decimal text, numbers Perl's "%.15g" form (Inf and -Inf as Perl prints
// them, and a negative zero as "0"), true "1" and false "", bytes as
// they are; and that it refuses references, which Perl would turn into
// "HASH(0x…)". The float forms were taken from perl -e 'print 9**9**9'
// and friends.
func TestScalar(t *testing.T) {
	type (
		sessionID int
		stateName string
		flag      bool
	)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"undef is the empty string", nil, ""},
		{"a string is itself", "poe://k/s/e", "poe://k/s/e"},
		{"an int64 is its decimal text", int64(-42), "-42"},
		{"an int is its decimal text", 7, "7"},
		{"an int32 is its decimal text", int32(math.MinInt32), "-2147483648"},
		{"a uint64 above int64 is its decimal text", uint64(math.MaxUint64), "18446744073709551615"},
		{"a uint32 is its decimal text", uint32(math.MaxUint32), "4294967295"},
		{"a float is Perl's %.15g", 0.1, "0.1"},
		{"an integral float has no point", 3.0, "3"},
		{"a large float takes an exponent", 1e20, "1e+20"},
		{"a float keeps 15 digits", 123456789012345678.0, "1.23456789012346e+17"},
		{"infinity is Inf", math.Inf(1), "Inf"},
		{"minus infinity is -Inf", math.Inf(-1), "-Inf"},
		{"NaN is NaN", math.NaN(), "NaN"},
		{"a negative zero is 0", math.Copysign(0, -1), "0"},
		{"true is 1", true, "1"},
		{"false is the empty string", false, ""},
		{"bytes are their string", []byte("st\xff"), "st\xff"},
		{"an int8 is its decimal text", int8(-128), "-128"},
		{"an int16 is its decimal text", int16(math.MaxInt16), "32767"},
		{"a uint8 is its decimal text", uint8(255), "255"},
		{"a uint16 is its decimal text", uint16(65535), "65535"},
		{"a uint is its decimal text", uint(math.MaxUint64), "18446744073709551615"},
		{"a float32 is the double it becomes", float32(0.5), "0.5"},
		{"a float32's own digits are the double's", float32(0.1), "0.100000001490116"},
		{"a named int is its decimal text", sessionID(12), "12"},
		{"a named string is itself", stateName("ev"), "ev"},
		{"a named bool is Perl's", flag(true), "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Scalar(tc.in)
			if err != nil {
				t.Fatalf("Scalar(%#v): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("Scalar(%#v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	refused := []struct {
		name string
		in   any
	}{
		{"a hash is refused", map[string]any{"a": "b"}},
		{"an array is refused", []any{"s", "e"}},
		{"a reference to a scalar is refused", &serial.Ref{Value: "x"}},
		{"an object is refused", serial.Blessed{Class: "Foo", Value: "x"}},
		{"a typed slice is refused", []string{"s", "e"}},
		{"a pointer is refused", new(int)},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := Scalar(tc.in); err == nil {
				t.Errorf("Scalar(%#v) = %q, want an error", tc.in, got)
			}
		})
	}
}

// TestMustParse checks that MustParse returns what Parse does for a valid
// specifier and panics with Parse's *Error, which wraps ErrInvalid, for
// an invalid one.
func TestMustParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Specifier
	}{
		{"poe://kernel/session/state", Specifier{"kernel", "session", "state", ""}},
		{"session/state", Specifier{"", "session", "state", ""}},
		{"poe:", Specifier{}},
	} {
		t.Run(tc.in+" is parsed", func(t *testing.T) {
			if got := MustParse(tc.in); got != tc.want {
				t.Errorf("MustParse(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
	for _, in := range []string{"", "0", "poe://k/s/st/extra", "POE://k/s/e"} {
		t.Run(in+" panics", func(t *testing.T) {
			defer func() {
				r := recover()
				err, ok := r.(error)
				if !ok {
					t.Fatalf("MustParse(%q) panicked with %#v, want an error", in, r)
				}
				var e *Error
				if !errors.As(err, &e) || e.Input != in || !errors.Is(err, ErrInvalid) {
					t.Errorf("MustParse(%q) panicked with %v, want an *Error for it wrapping ErrInvalid", in, err)
				}
			}()
			got := MustParse(in)
			t.Errorf("MustParse(%q) = %#v, want a panic", in, got)
		})
	}
}
