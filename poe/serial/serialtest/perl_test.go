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

// TestPerlChildAsk runs a perl script that answers a line of hex with the
// octets reversed, in hex, and anything else with an error line.
func TestPerlChildAsk(t *testing.T) {
	perl := Perl(t)
	p := StartPerl(t, 30*time.Second, perl, "-ne",
		`$| = 1; chomp; if (/^([0-9a-f]{2})*$/) { print unpack("H*", scalar reverse pack("H*", $_)), "\n" } else { print "ERR not hex: $_\n" }`)
	got, perr := p.Ask(t, "0102ff")
	if perr != "" || string(got) != "\xff\x02\x01" {
		t.Errorf("Ask(0102ff) = %q, %q; want ff 02 01 and no error", got, perr)
	}
	got, perr = p.Ask(t, "zz")
	if got != nil || perr != "ERR not hex: zz" {
		t.Errorf("Ask(zz) = %q, %q; want no octets and perl's error line", got, perr)
	}
}

// TestPerlSkips checks that a module perl cannot load skips the test.
func TestPerlSkips(t *testing.T) {
	t.Run("missing module", func(t *testing.T) {
		Perl(t, "No::Such::Module::Anywhere")
		t.Error("Perl returned for a module perl cannot load")
	})
}
