package perlval

import (
	"reflect"
	"testing"
)

// octet is a named byte type, as a program may declare one.
type octet byte

func TestBytes(t *testing.T) {
	slice := []byte("abc")
	tests := []struct {
		name  string
		v     any
		want  string
		alias bool // the result is the slice itself
	}{
		{"a slice", slice, "abc", true},
		{"an empty slice", []byte{}, "", false},
		{"a nil slice", []byte(nil), "", false},
		{"an array", [3]byte{'x', 0, 0xff}, "x\x00\xff", false},
		{"an empty array", [0]byte{}, "", false},
		{"a slice of a named byte type", []octet("ab"), "ab", false},
		{"an array of a named byte type", [2]octet{'y', 0x80}, "y\x80", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Bytes(reflect.ValueOf(tc.v))
			if string(got) != tc.want {
				t.Fatalf("Bytes(%#v) = %q, want %q", tc.v, got, tc.want)
			}
			if tc.alias && &got[0] != &slice[0] {
				t.Fatal("a slice's octets were copied")
			}
		})
	}
}
