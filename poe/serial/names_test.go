package serial_test

import (
	"slices"
	"testing"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/msgpack"
	"github.com/poe-go/poe/poe/serial/storable"
)

// named is a Serializer that only has a name.
type named string

func (n named) Name() string                             { return string(n) }
func (n named) Freeze(dst []byte, _ any) ([]byte, error) { return dst, nil }
func (n named) Thaw([]byte) (any, error)                 { return nil, nil }

// TestNamesListsTheRegisteredSerializersSorted checks Names: every
// registered name once, in sorted order, whatever order they were
// registered in, with a name registered twice listed once.
func TestNamesListsTheRegisteredSerializersSorted(t *testing.T) {
	got := serial.Names()
	for _, name := range []string{storable.Name, msgpack.Name} {
		if !slices.Contains(got, name) {
			t.Fatalf("Names() = %q, without the registered %q", got, name)
		}
	}
	want := slices.Clone(got)
	steps := []struct {
		name     string
		register []string
	}{
		{"names registered out of order come back sorted", []string{"Zeta::Freezer", "Alpha::Freezer", "Mid::Freezer"}},
		{"a name registered again is listed once", []string{"Alpha::Freezer", "Alpha::Freezer"}},
		{"case sorts by byte, capitals first", []string{"lower::Freezer", "Upper::Freezer"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			for _, n := range s.register {
				serial.Register(named(n))
				if !slices.Contains(want, n) {
					want = append(want, n)
				}
			}
			slices.Sort(want)
			got := serial.Names()
			if !slices.Equal(got, want) {
				t.Errorf("Names() = %q, want %q", got, want)
			}
		})
	}
}
