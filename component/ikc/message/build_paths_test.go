package message

import (
	"encoding/hex"
	"testing"

	"github.com/poe-go/poe/poe/serial/storable"
)

// TestBuildersFillWhatPerlFills: the builders complete what Perl's
// responder and proxy complete before sending. A proxy event posted with
// no arguments carries [state, []] (Proxy::_default sends [@$args]), not
// undef; do_you_have answered for a spec with no kernel names the
// answering kernel in it ($ses->{kernel}||=$kernel->ID). The params must
// freeze to the octets Perl's nfreeze gives for the same data.
func TestBuildersFillWhatPerlFills(t *testing.T) {
	rsvp := Address{Kernel: "K2", Session: Responder, State: "IKC:receipt 1 poe://K1/svc"}
	for _, tc := range []struct {
		name string
		m    Message
		perl string // the params as Perl builds them, in perlish form
	}{
		{
			"a proxy event without arguments sends an empty list",
			Proxied("K1", "svc", "m", nil, nil),
			`["m",[]]`,
		},
		{
			"an accepted receipt for a spec without a kernel names the answering kernel",
			ReceiptAccepted(rsvp, Address{Session: "svc"}, "K1", nil),
			`[{"kernel"=>"K1","session"=>"svc","state"=>""},"K1"]`,
		},
		{
			"an accepted receipt keeps the kernel the spec names",
			ReceiptAccepted(rsvp, Address{Kernel: "Server", Session: "svc", State: "x"}, "K1", nil),
			`[{"kernel"=>"Server","session"=>"svc","state"=>"x"},"K1"]`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := storable.Freeze(tc.m.Params)
			if err != nil {
				t.Fatal(err)
			}
			v, err := storable.Thaw(got)
			if err != nil {
				t.Fatal(err)
			}
			if p := perlish(v); p != tc.perl {
				t.Fatalf("params thaw to\n %s\nPerl sends\n %s", p, tc.perl)
			}
		})
	}
	// Array octets do not depend on hash order, so the first can be
	// held to Perl's nfreeze(["m", []]) exactly: an undef in place of
	// the list would be 05 instead of 0402000000 00.
	m := Proxied("K1", "svc", "m", nil, nil)
	got, _ := storable.Freeze(m.Params)
	if h := hex.EncodeToString(got); h != "050b02000000020a016d040200000000" {
		t.Errorf("Proxied params freeze to %s", h)
	}
	// Through the local kernel nothing is frozen: the list itself must
	// be there for the handler, not a nil one.
	if args, _ := m.Params.([]any)[1].([]any); args == nil {
		t.Error("Proxied with no arguments holds a nil list")
	}
}

// TestKindNames: every kind has its name, and a value outside them is
// shown as a number.
func TestKindNames(t *testing.T) {
	for k, want := range map[Kind]string{KindPost: "post", KindProxied: "proxied", KindRemoteError: "remote_error", Kind(42): "Kind(42)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind %d is %q, want %q", int(k), got, want)
		}
	}
}
