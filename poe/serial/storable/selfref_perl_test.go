package storable

import (
	"context"
	"encoding/hex"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/serialtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runPerl runs a perl script with Storable loaded and returns its output,
// skipping the test when there is no perl with Storable.
func runPerl(t *testing.T, script string, args ...string) string {
	t.Helper()
	perl := serialtest.Perl(t, "Storable")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, perl, append([]string{"-MStorable=nfreeze,thaw", "-MScalar::Util=refaddr", "-e", script}, args...)...).Output()
	require.NoError(t, err, "perl: %s", out)
	return strings.TrimSuffix(string(out), "\n")
}

// perlFreeze returns Perl's nfreeze of the value expr leaves in $v.
func perlFreeze(t *testing.T, expr string) []byte {
	t.Helper()
	out := runPerl(t, expr+`; print unpack("H*", nfreeze($v))`)
	b, err := hex.DecodeString(out)
	require.NoError(t, err)
	return b
}

// as returns v as a T, failing the test if it is not one.
func as[T any](t *testing.T, v any) T {
	t.Helper()
	x, ok := v.(T)
	require.True(t, ok, "%#v is a %T", v, x)
	return x
}

// TestPerlReferenceCyclesThaw thaws Perl's images of references that
// point back at themselves, directly or through other references or a
// container, and checks that the cycle goes through the same Go value:
// a reference to a scalar is a *serial.Ref, a reference to a container
// is the container, and SX_OBJECT naming a reference whose target is
// still being read must give that same Ref, not a Ref to nil.
func TestPerlReferenceCyclesThaw(t *testing.T) {
	tests := []struct {
		name  string
		perl  string // leaves in $v what nfreeze stores
		check func(t *testing.T, v any)
	}{
		{"a reference to itself is a Ref holding itself", `my $c; $c = \$c; my $v = \$c`, func(t *testing.T, v any) {
			r := as[*serial.Ref](t, v)
			assert.Same(t, r, r.Value)
		}},
		{"two references to each other are two Refs holding each other", `my ($a, $b); $a = \$b; $b = \$a; my $v = \$a`, func(t *testing.T, v any) {
			a := as[*serial.Ref](t, v)
			b := as[*serial.Ref](t, a.Value)
			assert.NotSame(t, a, b)
			assert.Same(t, a, b.Value)
		}},
		{"a self-reference stored twice is one Ref", `my $c; $c = \$c; my $v = [\$c, \$c]`, func(t *testing.T, v any) {
			a := as[[]any](t, v)
			c := as[*serial.Ref](t, as[*serial.Ref](t, a[0]).Value)
			assert.Same(t, c, c.Value)
			assert.Same(t, c, as[*serial.Ref](t, a[1]).Value)
		}},
		{"an array holding a reference to the reference to it", `my $r; $r = [\$r]; my $v = \$r`, func(t *testing.T, v any) {
			a := as[[]any](t, v)
			as[[]any](t, as[*serial.Ref](t, a[0]).Value)[0] = "probe"
			assert.Equal(t, "probe", a[0])
		}},
		{"a hash holding a reference to the reference to it", `my $r; $r = {me => \$r}; my $v = \$r`, func(t *testing.T, v any) {
			m := as[map[string]any](t, v)
			as[map[string]any](t, as[*serial.Ref](t, m["me"]).Value)["probe"] = true
			assert.Equal(t, true, m["probe"])
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Thaw(perlFreeze(t, tc.perl))
			require.NoError(t, err)
			tc.check(t, v)
		})
	}
}

// TestPerlReferenceCycleThroughBlessedScalar checks that a cycle Thaw
// cannot give the same Go value on both sides (a reference back to a
// reference whose target turns out to be a blessed scalar, which Go
// holds as a serial.Blessed value) is refused rather than thawed with a
// nil in it.
func TestPerlReferenceCycleThroughBlessedScalar(t *testing.T) {
	img := perlFreeze(t, `my ($x, $y); $x = \$y; $y = \$x; bless \$y, 'Foo'; my $v = \$x`)
	_, err := Thaw(img)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrUnsupported), "%v", err)
}

// TestPerlReferenceCyclesFreeze freezes the thawed container cycles
// again and has Perl check that the reference in the container still
// points at the reference to the container.
func TestPerlReferenceCyclesFreeze(t *testing.T) {
	tests := []struct {
		name  string
		perl  string // leaves in $v what nfreeze stores
		check string // true in Perl for the thawed $t
	}{
		{"an array holding a reference to the reference to it", `my $r; $r = [\$r]; my $v = \$r`, `refaddr(${$t->[0]}) == refaddr($t)`},
		{"a hash holding a reference to the reference to it", `my $r; $r = {me => \$r}; my $v = \$r`, `refaddr(${$t->{me}}) == refaddr($t)`},
		{"a reference to itself", `my $c; $c = \$c; my $v = \$c`, `refaddr($$t) == refaddr($t)`},
		{"two references to each other", `my ($a, $b); $a = \$b; $b = \$a; my $v = \$a`, `refaddr($$$t) == refaddr($t)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Thaw(perlFreeze(t, tc.perl))
			require.NoError(t, err)
			img, err := Freeze(v)
			require.NoError(t, err)
			out := runPerl(t, `my $t = thaw(pack("H*", $ARGV[0])); print ref($t), " ", (`+tc.check+` ? "cycle" : "broken")`, hex.EncodeToString(img))
			assert.Contains(t, []string{"ARRAY cycle", "HASH cycle", "REF cycle", "SCALAR cycle"}, out)
		})
	}
}

// TestPerlSharedRefFreeze checks that one *serial.Ref stored twice is
// frozen once and then as a back-reference, as Perl stores a reference
// met again: Perl thaws both places to the same reference.
func TestPerlSharedRefFreeze(t *testing.T) {
	r := &serial.Ref{Value: "x"}
	img, err := Freeze([]any{r, r})
	require.NoError(t, err)
	out := runPerl(t, `my $t = thaw(pack("H*", $ARGV[0])); print ${$t->[0]}, " ", (refaddr($t->[0]) == refaddr($t->[1]) ? "shared" : "copied")`, hex.EncodeToString(img))
	assert.Equal(t, "x shared", out)
}
