package interop_test

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
)

// kernelID is the shape of a POE kernel ID (IKC spec 3.1).
var kernelID = regexp.MustCompile(`^[-.\w]+-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`)

// id and addr stand for a kernel ID and an ip:port in the dialogues below.
const (
	id   = `[-.\w]+-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}`
	addr = `127\.0\.0\.1:\d+`
)

// The negotiations of perl/poe-client.pl with a Go server named GoSrv
// (alias GoAlias), line by line, as the captures of Perl IKC 0.2402 show
// them (IKC-PROTOCOL 5 and 6.1): SENT is the POE client, READ the server.
var poeDialogues = map[channel.Protocol][]string{
	channel.IKC0: {
		`SENT SETUP KERNEL=` + id + `,PoeCli,` + addr + `;FREEZER=Storable;PID=\d+`,
		`READ SETUP KERNEL=` + id + `,GoSrv,GoAlias,` + addr + `;FREEZER=Storable;PID=` + strconv.Itoa(os.Getpid()),
	},
	channel.IKC: {
		`SENT HELLO`,
		`READ IAM ` + id, `SENT OK`, // the server's kernel ID first,
		`READ IAM ` + addr, `SENT OK`, // then its names popped from the end
		`READ IAM GoAlias`, `SENT OK`,
		`READ IAM GoSrv`, `SENT OK`,
		`READ DONE`,
		`SENT IAM ` + id, `READ OK`,
		`SENT IAM ` + addr, `READ OK`,
		`SENT IAM PoeCli`, `READ OK`,
		`SENT DONE`,
		`SENT FREEZER Storable`, // at once, without waiting
		`READ OK`,
		`SENT WORLD`,
		`READ UP`,
	},
}

// TestPOEClientNegotiatesWithAGoServer runs perl/poe-client.pl, an IKC
// client built from plain POE (Wheel::ReadWrite with Filter::Line, then
// Filter::Reference), against the Go IKC server, with both negotiations:
// the dialogue must be line for line what Perl IKC peers exchange, and a
// call and a post must work after it. It needs only Perl and POE, not
// IKC, so it runs wherever Debian's libpoe-perl is installed.
func TestPOEClientNegotiatesWithAGoServer(t *testing.T) {
	requirePerl(t, "", "POE::Filter::Reference", "Storable")
	for _, tc := range []struct{ client, server channel.Protocol }{
		{channel.IKC0, channel.IKC0},
		{channel.IKC, channel.IKC},
		{channel.IKC, channel.IKC0}, // the IKC0 server takes HELLO as the legacy dialogue
		{channel.IKC0, channel.IKC}, // the IKC server answers SETUP with NOT: HELLO follows
	} {
		t.Run(fmt.Sprintf("%s client, %s server", tc.client, tc.server), func(t *testing.T) {
			srv := startGoServer(t, tc.server, "tcp")
			const wait = 15 * time.Second
			cli := startPerl(t, "", "poe-client.pl", "--port", strconv.Itoa(srv.relay.port()),
				"--protocol", string(tc.client), "--name", "PoeCli")
			want := poeDialogues[tc.client]
			if tc.client != tc.server && tc.client == channel.IKC0 {
				want = append([]string{poeDialogues[channel.IKC0][0], `READ NOT`}, poeDialogues[channel.IKC]...)
			}
			lines := cli.until(`GOT state=echoed arg={"n" => [1,2],"said" => "hello"}`, wait)
			if len(lines) != len(want) {
				t.Errorf("the dialogue has %d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
			}
			for i := 0; i < len(lines) && i < len(want); i++ {
				if !regexp.MustCompile("^" + want[i] + "$").MatchString(lines[i]) {
					t.Errorf("line %d: %q, want %s", i+1, lines[i], want[i])
				}
			}
			if tc.client == channel.IKC0 && !strings.HasSuffix(lines[0], fmt.Sprintf(";PID=%d", cli.cmd.Process.Pid)) {
				t.Errorf("the POE client sent %s", lines[0])
			}
			reg := srv.expect("monitor register", argIs(1, "PoeCli"), wait)
			// Only the SETUP line carries a PID.
			if tc.client == channel.IKC0 && tc.server == channel.IKC0 && fmt.Sprint(reg[4]) != strconv.Itoa(cli.cmd.Process.Pid) {
				t.Errorf("register PID %#v", reg[4])
			}
			srv.expect("record", argIs(0, "bye"), wait)
			srv.expect("monitor unregister", argIs(1, "PoeCli"), wait)
		})
	}
}
