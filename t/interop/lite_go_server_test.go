package interop_test

import "testing"

// TestPerlClientLiteAgainstGoServer will run perl/ikc-lite.pl, Perl's
// POE::Component::IKC::ClientLite, against a Go IKC server publishing the
// same echo session as perl/ikc-server.pl, over IKC0 and the legacy
// dialogue: call, call in list context, post_respond, post, and the
// remote_error of an unpublished state (which Perl's ClientLite reports
// as "ARRAY(0x…)").
func TestPerlClientLiteAgainstGoServer(t *testing.T) {
	ikcLib(t)
	t.Skip("needs the Go IKC server: package component/ikc/server has not landed yet")
}
