package interop_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/server"
)

// eachCase runs scenario for both negotiations over TCP and a unix
// socket, the peers offering their default serializers; then over TCP in
// both negotiations with FreezeThaw alone offered by the Perl side (or by
// the Go side to a Perl server), skipped where Perl has no FreezeThaw.
func eachCase(t *testing.T, lib string, scenario func(t *testing.T, lib string, proto channel.Protocol, network, serializer string)) {
	protos := []channel.Protocol{channel.IKC0, channel.IKC}
	for _, proto := range protos {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(string(proto)+" over "+network, func(t *testing.T) { scenario(t, lib, proto, network, "") })
		}
	}
	for _, proto := range protos {
		t.Run(string(proto)+" over tcp in FreezeThaw", func(t *testing.T) {
			requirePerl(t, lib, "FreezeThaw")
			scenario(t, lib, proto, "tcp", "FreezeThaw")
		})
	}
}

// goServer is a Go kernel running an IKC server, reached through a relay.
type goServer struct {
	*goKernel
	relay *relay
}

// startGoServer starts a Go kernel named GoSrv with an IKC server
// expecting proto, on 127.0.0.1 or a unix socket, and a relay in front.
func startGoServer(t *testing.T, proto channel.Protocol, network string) *goServer {
	t.Helper()
	opts := server.Options{Name: "GoSrv", Aliases: []string{"GoAlias"}, Protocol: proto,
		OnError: func(op string, errno int, text string) { t.Logf("Go server error: %s [%d] %s", op, errno, text) }}
	if network == "unix" {
		opts.Unix = filepath.Join(t.TempDir(), "go.sock")
	}
	target := opts.Unix
	g := startGoKernel(t, "GoSrv", func(g *goKernel) error {
		port, err := server.Spawn(g.k, opts)
		if network == "tcp" {
			target = fmt.Sprintf("127.0.0.1:%d", port)
		}
		return err
	})
	return &goServer{goKernel: g, relay: newRelay(t, network, target)}
}

// peerArgs are the --port or --unix arguments that reach the relay.
func (s *goServer) peerArgs() []string {
	if u := s.relay.unix(); u != "" {
		return []string{"--unix", u}
	}
	return []string{"--port", strconv.Itoa(s.relay.port())}
}

// TestPerlClientAgainstGoServer is a Perl IKC Client kernel
// (perl/ikc-client.pl) connecting to a Go Server kernel: posts, calls
// with every shape of data, a remote error, the SENDER thunk, a
// subscription and a post through the proxy, and both monitors seeing
// register and unregister. The Perl client offers every serializer it
// has, and the Go server picks Storable; then, with a Perl client that
// offers FreezeThaw alone, the same scenario runs in FreezeThaw.
func TestPerlClientAgainstGoServer(t *testing.T) {
	eachCase(t, ikcLib(t), perlClientScenario)
}

// perlClientScenario is TestPerlClientAgainstGoServer's scenario for one
// protocol and network, with the Perl client offering only serializer,
// or its default list when serializer is empty.
func perlClientScenario(t *testing.T, lib string, proto channel.Protocol, network, serializer string) {
	srv := startGoServer(t, proto, network)
	perlArgs := append(srv.peerArgs(), "--protocol", string(proto), "--name", "PerlCli", "--server", "GoSrv")
	if serializer != "" {
		perlArgs = append(perlArgs, "--serializer", serializer)
	}
	cli := startPerl(t, lib, "ikc-client.pl", perlArgs...)
	const wait = 15 * time.Second

	// Perl sees the Go kernel under its ID (real) and its names.
	var names []string
	for _, l := range cli.until("CONNECTED", wait) {
		if n, ok := strings.CutPrefix(l, "MONITOR register name="); ok {
			names = append(names, n)
		}
	}
	if len(names) < 3 || !kernelID.MatchString(strings.TrimSuffix(names[0], " real=1")) ||
		!containsAll(names[1:], "GoSrv real=0", "GoAlias real=0") {
		t.Errorf("the Perl monitor saw register of %q", names)
	}
	args := srv.expect("monitor register", argIs(1, "PerlCli"), wait)
	if len(args) < 5 || args[4] != nil && proto == channel.IKC {
		t.Errorf("Go monitor register: %#v", args)
	}
	if proto == channel.IKC0 && fmt.Sprint(args[4]) != strconv.Itoa(cli.cmd.Process.Pid) {
		t.Errorf("Go monitor register: PID %#v, want %d", args[4], cli.cmd.Process.Pid)
	}
	srv.expect("record", argIs(0, "hello from perl"), wait)

	for _, step := range []string{"string", "empty", "integer", "negative", "int64", "float",
		"undefs", "utf8", "nested", "big"} {
		got := cli.expect("RESULT op=", wait)
		if step == "int64" {
			// Perl sends integers beyond 32 bits as their text: they
			// come back as strings, of the same value.
			if got != `int64 same=0 value="1099511627776"` {
				t.Errorf("echo of int64: %s", got)
			}
		} else if step == "utf8" && serializer == "FreezeThaw" {
			// Perl's character string reaches Go whole (its lengths
			// count characters), and comes back as its UTF-8 octets,
			// which FreezeThaw cannot flag as characters.
			if got != `utf8 same=0 value="h\303\251llo w\303\266rld \342\234\223 \346\227\245\346\234\254"` {
				t.Errorf("echo of utf8 in FreezeThaw: %s", got)
			}
		} else if !strings.HasPrefix(got, step+" same=1 ") {
			t.Errorf("echo of %s: %s", step, got)
		}
	}
	utf8 := `c_utf8 same=0 value="h\x{e9}llo w\x{f6}rld \x{2713} \x{65e5}\x{672c}"`
	if serializer == "FreezeThaw" {
		// FreezeThaw has no character strings: Go sends the UTF-8
		// octets, which is all a Perl peer can thaw (Perl's own
		// character-counted images fail to thaw in Perl).
		utf8 = `c_utf8 same=0 value="h\303\251llo w\303\266rld \342\234\223 \346\227\245\346\234\254"`
	}
	for _, want := range []string{
		`c_nested same=0 value={"float" => "0.5","hash" => {"a" => {"b" => {"c" => "deep"}}},"list" => [1,"two",[3,{"four" => 4}]],"negative" => -100000,"undef" => undef}`,
		utf8,
		`c_big same=0 value=length=1048576 bytes`,
		`c_list same=0 value=[1,2,3]`,
		`c_add same=0 value=5`,
	} {
		if got := cli.expect("RESULT op=", wait); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	if got := cli.expect("MONITOR error ", wait); !strings.HasPrefix(got, "name=GoSrv real=0 op=remote-check ") ||
		!strings.Contains(got, "has not published state 'notpub'") {
		t.Errorf("the remote error of an unpublished state: %s", got)
	}
	srv.expect("monitor error", func(a []any) bool { return len(a) > 4 && a[4] == "local-check" }, wait)

	srv.expect("sender_back", argIs(0, "ping"), wait)
	if got := cli.expect("CALLED_BACK args=", wait); got != `["pong","ping"]` {
		t.Errorf("through the thunk, Perl got %s", got)
	}
	if got := cli.expect("SUBSCRIBED specs=", wait); got != `["poe://GoSrv/pub"]` {
		t.Errorf("subscribed %s", got)
	}
	if args := srv.expect("pub", nil, wait); fmt.Sprint(args) != "[via proxy 2]" {
		t.Errorf("through the proxy, Go got %#v", args)
	}
	if got := cli.expect("CALLED_BACK args=", wait); got != `["proxied","via proxy",2]` {
		t.Errorf("through the proxy's thunk, Perl got %s", got)
	}
	cli.expect("DONE", wait)

	if serializer == "" {
		// Perl offers all it has, Go picks Storable.
		checkNegotiation(t, srv.relay, proto, "Storable", "Storable", "FreezeThaw", "POE::Component::IKC::Freezer")
	} else {
		checkNegotiation(t, srv.relay, proto, serializer, serializer)
	}

	srv.relay.cut()
	cli.expect("MONITOR unregister name=", wait)
	srv.expect("monitor unregister", argIs(1, "PerlCli"), wait)
	if cli.stderr.String() != "" {
		t.Logf("Perl client stderr:\n%s", cli.stderr)
	}
}

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			found = found || l == w
		}
		if !found {
			return false
		}
	}
	return true
}

// checkNegotiation checks, in what the relay saw, that the server chose
// chosen among the serializers the client offered: all of them in the
// IKC0 SETUP line, one FREEZER line each until one is accepted in IKC.
func checkNegotiation(t *testing.T, r *relay, proto channel.Protocol, chosen string, offers ...string) {
	t.Helper()
	c2s, s2c := r.lines(true), r.lines(false)
	offered := strings.Join(offers, ",")
	if proto == channel.IKC0 {
		if len(c2s) != 1 || !strings.Contains(c2s[0], ";FREEZER="+offered+";") ||
			len(s2c) != 1 || !strings.Contains(s2c[0], ";FREEZER="+chosen+";") {
			t.Errorf("IKC0 negotiation: client sent %q, server %q; want FREEZER=%s offered and %s chosen",
				c2s, s2c, offered, chosen)
		}
		return
	}
	for i, o := range offers {
		if o == chosen {
			offered = strings.Join(offers[:i+1], ",")
		}
	}
	var freezers []string
	for _, l := range c2s {
		if f, ok := strings.CutPrefix(l, "FREEZER "); ok {
			freezers = append(freezers, f)
		}
	}
	if strings.Join(freezers, ",") != offered || len(s2c) < 3 || s2c[len(s2c)-1] != "UP" || s2c[len(s2c)-2] != "OK" ||
		freezers[len(freezers)-1] != chosen {
		t.Errorf("IKC negotiation: client sent %q, server %q; want FREEZER lines %s, the last (%s) accepted",
			c2s, s2c, offered, chosen)
	}
}
