package channel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// captureLine is one negotiation line of a recorded Perl connection.
type captureLine struct {
	Dir  string `json:"dir"` // "c2s" or "s2c"
	Kind string `json:"kind"`
	Text string `json:"text"`
}

func loadCapture(t *testing.T, name string) []captureLine {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vectors", name+".index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Items []captureLine `json:"items"`
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatal(err)
	}
	var lines []captureLine
	for _, it := range idx.Items {
		if it.Kind == "line" {
			lines = append(lines, it)
		}
	}
	return lines
}

// side is what one end of a capture said about itself and its peer.
type side struct {
	kernelID string   // empty for ClientLite
	local    []string // names after the kernel ID, as the Go options take them
	pid      int
	offered  []string // FREEZER names it sent
	hasSetup bool
}

// describe reads one direction of a capture: its SETUP line, or its IAM
// lines (kernel ID first, then names popped from the end of its list).
func describe(lines []captureLine, dir string, lite bool) side {
	var s side
	var iams, freezers []string
	for _, l := range lines {
		if l.Dir != dir {
			continue
		}
		if body, ok := setupBody(l.Text); ok {
			st, _ := ParseSetup(body)
			s.hasSetup = true
			s.pid = st.PID
			s.offered = st.Freezers
			if lite {
				s.local = st.Kernels
			} else {
				s.kernelID, s.local = st.Kernels[0], st.Kernels[1:]
			}
		}
		if name, ok := strings.CutPrefix(l.Text, "IAM "); ok {
			iams = append(iams, name)
		}
		if name, ok := strings.CutPrefix(l.Text, "FREEZER "); ok {
			freezers = append(freezers, name)
		}
	}
	if !s.hasSetup {
		s.offered = freezers
	}
	if !s.hasSetup && len(iams) > 0 {
		if lite {
			s.local = iams
		} else {
			s.kernelID = iams[0]
			s.local = slices.Clone(iams[1:])
			slices.Reverse(s.local)
		}
	}
	return s
}

// peerNames is what the other end must register for dir: the names of
// its last SETUP or its IAM lines, in the order sent.
func peerNames(lines []captureLine, dir string, proto Protocol) []string {
	var names []string
	for _, l := range lines {
		if l.Dir != dir {
			continue
		}
		if body, ok := setupBody(l.Text); ok && proto == IKC0 {
			st, _ := ParseSetup(body)
			names = st.Kernels
		}
		if name, ok := strings.CutPrefix(l.Text, "IAM "); ok && proto == IKC {
			names = append(names, name)
		}
	}
	return names
}

var captures = []struct {
	name        string
	serverProto Protocol
	clientProto Protocol
	clientRole  Role
	proto       Protocol // what the dialogue ends as
	serializer  string
}{
	{"ikc0-storable", IKC0, IKC0, ClientRole, IKC0, "Storable"},
	{"ikc0-freezethaw", IKC0, IKC0, ClientRole, IKC0, "FreezeThaw"},
	{"ikc-storable", IKC, IKC, ClientRole, IKC, "Storable"},
	{"ikc-client-ikc0-server-storable", IKC0, IKC, ClientRole, IKC, "Storable"},
	{"ikc0-client-ikc-server-storable", IKC, IKC0, ClientRole, IKC, "Storable"},
	{"lite-ikc-storable", IKC, IKC, LiteRole, IKC, "Storable"},
	{"lite-ikc0-storable", IKC0, IKC0, LiteRole, IKC0, "Storable"},
}

// everySerializer is a Go server's acceptable list: it must still pick the
// one the Perl client offered.
var everySerializer = []string{"msgpack", "Storable", "FreezeThaw"}

// replay feeds the lines of the other direction into n and checks that n
// answers each with exactly the lines the Perl peer sent before the next
// line came the other way.
func replay(t *testing.T, lines []captureLine, mine string, n *Negotiation) {
	t.Helper()
	expectUntilOther := func(from int) []string {
		var want []string
		for _, l := range lines[from:] {
			if l.Dir != mine {
				break
			}
			want = append(want, l.Text)
		}
		return want
	}
	if got, want := n.Start(), expectUntilOther(0); !slices.Equal(got, want) {
		t.Fatalf("Start() = %q, want %q", got, want)
	}
	for i, l := range lines {
		if l.Dir == mine {
			continue
		}
		got, err := n.Feed(l.Text)
		if err != nil {
			t.Fatalf("Feed(%q): %v", l.Text, err)
		}
		if want := expectUntilOther(i + 1); !slices.Equal(got, want) {
			t.Fatalf("Feed(%q) = %q, want %q", l.Text, got, want)
		}
	}
	if !n.Done() {
		t.Fatalf("not done after the capture; phase %s", n.Phase())
	}
}

func TestReplayCaptures(t *testing.T) {
	for _, c := range captures {
		lines := loadCapture(t, c.name)
		lite := c.clientRole == LiteRole
		srv := describe(lines, "s2c", false)
		cli := describe(lines, "c2s", lite)

		t.Run(c.name+": a Go server answers the Perl client byte for byte", func(t *testing.T) {
			n, err := NewNegotiation(Options{
				Role: ServerRole, Protocol: c.serverProto,
				KernelID: srv.kernelID, Name: srv.local[0], Aliases: srv.local[1:],
				SanityAlias: "127.0.0.1:1", Serializers: everySerializer, PID: srv.pid,
			})
			if err != nil {
				t.Fatal(err)
			}
			replay(t, lines, "s2c", n)
			r, _ := n.Result()
			want := append(peerNames(lines, "c2s", c.proto), "127.0.0.1:1")
			checkResult(t, r, c.proto, c.serializer, want, cli.pid, srv.local)
		})

		t.Run(c.name+": a Go client speaks as the Perl client did", func(t *testing.T) {
			opts := Options{
				Role: c.clientRole, Protocol: c.clientProto,
				KernelID: cli.kernelID, Name: cli.local[0], Aliases: cli.local[1:],
				SanityAlias: "localhost:603", Serializers: cli.offered, PID: cli.pid,
			}
			if lite {
				opts.KernelID, opts.Aliases = "", nil
			}
			n, err := NewNegotiation(opts)
			if err != nil {
				t.Fatal(err)
			}
			replay(t, lines, "c2s", n)
			r, _ := n.Result()
			want := append(peerNames(lines, "s2c", c.proto), "localhost:603")
			checkResult(t, r, c.proto, c.serializer, want, srv.pid, cli.local)
			if lite {
				checkLite(t, r, want)
			}
		})
	}
}

func checkResult(t *testing.T, r Result, proto Protocol, serializer string, peer []string, pid int, local []string) {
	t.Helper()
	if r.Protocol != proto {
		t.Errorf("protocol %s, want %s", r.Protocol, proto)
	}
	if r.Serializer != serializer {
		t.Errorf("serializer %q, want %q", r.Serializer, serializer)
	}
	if got := append([]string{r.PeerID}, r.PeerAliases...); !slices.Equal(got, peer) {
		t.Errorf("peer names %q, want %q", got, peer)
	}
	if r.HasPeerPID != (proto == IKC0) || (proto == IKC0 && r.PeerPID != pid) {
		t.Errorf("peer PID %d (known %v), want %d with %s", r.PeerPID, r.HasPeerPID, pid, proto)
	}
	if !slices.Equal(r.LocalNames, local) || r.KernelName != local[0] {
		t.Errorf("local names %q, kernel name %q; want %q", r.LocalNames, r.KernelName, local)
	}
}

func checkLite(t *testing.T, r Result, peer []string) {
	t.Helper()
	if r.Protocol == IKC0 {
		if r.RemoteName != peer[0] || r.PingKernel != "" {
			t.Errorf("IKC0 lite: remote %q ping %q, want remote %q and no ping kernel", r.RemoteName, r.PingKernel, peer[0])
		}
		return
	}
	if r.RemoteName != "localhost:603" || r.PingKernel != peer[0] {
		t.Errorf("legacy lite: remote %q ping %q, want localhost:603 and %q", r.RemoteName, r.PingKernel, peer[0])
	}
}
