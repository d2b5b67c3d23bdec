package kernel

import (
	"syscall"
	"testing"
)

// ArgInt reads every built-in integer type and a Mode, and gives 0 for
// anything else and for an argument the event does not have.
func TestArgInt(t *testing.T) {
	cases := []struct {
		name string
		arg  any
		want int
	}{
		{"int", 42, 42},
		{"negative int", -7, -7},
		{"int64", int64(-64), -64},
		{"int32", int32(32), 32},
		{"int16", int16(-16), -16},
		{"int8", int8(8), 8},
		{"uint", uint(1), 1},
		{"uint64", uint64(64), 64},
		{"uint32", uint32(32), 32},
		{"uint16", uint16(16), 16},
		{"uint8", uint8(255), 255},
		{"uintptr", uintptr(9), 9},
		{"Mode", ModeWrite, int(ModeWrite)},
		{"named integer", syscall.EPIPE, 0},
		{"string", "12", 0},
		{"float", 1.5, 0},
		{"nil", nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := &Event{Args: []any{"ARG0", c.arg}}
			if got := e.ArgInt(1); got != c.want {
				t.Errorf("ArgInt(1) of %#v = %d, want %d", c.arg, got, c.want)
			}
		})
	}
	e := &Event{Args: []any{5}}
	for _, i := range []int{-1, 1, 100} {
		if got := e.ArgInt(i); got != 0 {
			t.Errorf("ArgInt(%d) of a one-argument event = %d, want 0", i, got)
		}
	}
}
