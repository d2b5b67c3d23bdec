package serialtest

import (
	"strings"
	"testing"
	"time"
)

// TestPerlChild runs a perl script that echoes its lines upper-cased.
func TestPerlChild(t *testing.T) {
	perl := Perl(t)
	p := StartPerl(t, 30*time.Second, perl, "-ne", `$| = 1; print uc`)
	for _, line := range []string{"one", "", strings.Repeat("x", 100000)} {
		p.Send(t, line)
		if got := p.Line(t); got != strings.ToUpper(line) {
			t.Fatalf("perl sent back %.40q, want %.40q", got, strings.ToUpper(line))
		}
	}
}

// TestPerlSkips checks that a module perl cannot load skips the test.
func TestPerlSkips(t *testing.T) {
	t.Run("missing module", func(t *testing.T) {
		Perl(t, "No::Such::Module::Anywhere")
		t.Error("Perl returned for a module perl cannot load")
	})
}
