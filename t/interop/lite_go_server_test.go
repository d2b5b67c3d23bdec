package interop_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
)

// TestPerlClientLiteAgainstGoServer runs perl/ikc-lite.pl, Perl's
// POE::Component::IKC::ClientLite, against a Go IKC server publishing the
// same echo session as perl/ikc-server.pl, over IKC0 and the legacy
// dialogue: call, call in list context, post_respond, post, the
// remote_error of an unpublished state (which Perl's ClientLite reports
// as "ARRAY(0x…)"), disconnect, a new connection, and calls after the
// connection was cut, which connect again. ClientLite speaks TCP only.
func TestPerlClientLiteAgainstGoServer(t *testing.T) {
	lib := ikcLib(t)
	for _, proto := range []channel.Protocol{channel.IKC0, channel.IKC} {
		t.Run(string(proto), func(t *testing.T) {
			srv := startGoServer(t, proto, "tcp")
			const wait = 15 * time.Second
			lite := startPerl(t, lib, "ikc-lite.pl", "--port", strconv.Itoa(srv.relay.port()),
				"--protocol", string(proto), "--name", "PerlLite", "--reconnect")
			if got := lite.expect("CONNECTED name=", wait); got != "PerlLite" {
				t.Errorf("CONNECTED name=%s", got)
			}
			srv.expect("monitor register", argIs(1, "PerlLite"), wait)
			for _, want := range []string{
				`RESULT op=call value="hello"`,
				`RESULT op=call_nested value={"a" => [1,"two"]}`,
				// A Go handler's []any is the list in list context; Perl's
				// echo returns one array reference (see the responder).
				`RESULT op=call_list value=[1,2,3]`,
				`RESULT op=post_respond value=8`,
				`RESULT op=post value=1`,
			} {
				if got := lite.expect("", wait); got != want {
					t.Errorf("got  %s\nwant %s", got, want)
				}
			}
			srv.expect("record", argIs(0, "from perl"), wait)
			if got := lite.expect("", wait); !regexpMatch(`^ERROR op=notpub error=ARRAY\(0x[0-9a-f]+\)\s*$`, got) {
				t.Errorf("the call of an unpublished state: %s", got)
			}
			srv.expect("monitor error", argIs(4, "local-check"), wait)
			srv.expect("monitor unregister", argIs(1, "PerlLite"), wait) // disconnect
			if got := lite.expect("", wait); got != `RESULT op=reconnect value="again"` {
				t.Errorf("after connecting anew: %s", got)
			}
			srv.expect("monitor register", argIs(1, "PerlLite"), wait)
			lite.expect("WAIT", wait)
			srv.relay.cut()
			srv.expect("monitor unregister", argIs(1, "PerlLite"), wait)
			lite.stdin.Write([]byte("go\n"))
			first, second := lite.expect("", wait), lite.expect("", wait)
			// Perl's ClientLite notices the cut only when a request
			// times out; the next one connects anew.
			if !strings.HasPrefix(first, "ERROR op=after_cut1 error=Timed out waiting for response") ||
				second != `RESULT op=after_cut2 value="after cut"` {
				t.Errorf("after the cut, ClientLite did not connect again: %s / %s", first, second)
			}
			lite.expect("DONE", wait)
		})
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
