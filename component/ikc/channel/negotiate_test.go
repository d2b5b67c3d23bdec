package channel

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// step is one received line and what the machine must answer.
type step struct {
	in   string
	out  []string
	err  error // sentinel the error must wrap, nil for none
	done bool
}

func newServer(t *testing.T, proto Protocol) *Negotiation {
	t.Helper()
	n, err := NewNegotiation(Options{Role: ServerRole, Protocol: proto, KernelID: "srv-id", Name: "Srv",
		TransportName: "127.0.0.1:603", Serializers: []string{"Storable", "msgpack"}, PID: 42})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newClient(t *testing.T, role Role, proto Protocol, serializers ...string) *Negotiation {
	t.Helper()
	if len(serializers) == 0 {
		serializers = []string{"Storable"}
	}
	n, err := NewNegotiation(Options{Role: role, Protocol: proto, KernelID: "cli-id", Name: "Cli",
		SanityAlias: "localhost:603", Serializers: serializers, PID: 7})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func runSteps(t *testing.T, n *Negotiation, steps []step) {
	t.Helper()
	for _, s := range steps {
		out, err := n.Feed(s.in)
		if !slices.Equal(out, s.out) {
			t.Fatalf("Feed(%q) = %q, want %q", s.in, out, s.out)
		}
		if (err == nil) != (s.err == nil) || (s.err != nil && !errors.Is(err, s.err)) {
			t.Fatalf("Feed(%q) error %v, want %v", s.in, err, s.err)
		}
		if n.Done() != s.done {
			t.Fatalf("after %q: Done() = %v, want %v (phase %s)", s.in, n.Done(), s.done, n.Phase())
		}
	}
}

const srvSetup = "SETUP KERNEL=srv-id,Srv,127.0.0.1:603;FREEZER=Storable;PID=42"

func TestServerIKC0(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		peer  []string
		pid   int
	}{
		{"a SETUP without KERNEL is answered NOT", []step{{in: "SETUP FREEZER=Storable;PID=1", out: []string{"NOT"}}}, nil, 0},
		{"a SETUP with an unknown part is answered NOT", []step{{in: "SETUP KERNEL=A;FOO=1;PID=1", out: []string{"NOT"}}}, nil, 0},
		{"a SETUP offering no usable serializer is answered NOT", []step{{in: "SETUP KERNEL=A;FREEZER=No::Such", out: []string{"NOT"}}}, nil, 0},
		{"a SETUP with an empty part is answered NOT", []step{{in: "SETUP KERNEL=A;;FREEZER=Storable", out: []string{"NOT"}}}, nil, 0},
		{"garbage and empty lines get no answer", []step{{in: "garbage"}, {in: ""}, {in: "SETUP"}}, nil, 0},
		{"HELLO IKC1 is answered NOT", []step{{in: "HELLO IKC1", out: []string{"NOT"}}}, nil, 0},
		{"the first usable serializer in the client's order is chosen",
			[]step{{in: "SETUP KERNEL=Raw0,RawAlias;FREEZER=No::Such,Storable;PID=77",
				out: []string{srvSetup}, done: true}}, []string{"Raw0", "RawAlias"}, 77},
		{"the client's order wins over the server's",
			[]step{{in: "SETUP KERNEL=G;FREEZER=msgpack,Storable;PID=1",
				out: []string{"SETUP KERNEL=srv-id,Srv,127.0.0.1:603;FREEZER=msgpack;PID=42"}, done: true}}, []string{"G"}, 1},
		{"parts match unanchored, a trailing ; is dropped and a missing PID is 0",
			[]step{{in: "SETUP XKERNEL=a;FREEZER=Storable;", out: []string{srvSetup}, done: true}}, []string{"a"}, 0},
		{"KERNEL parts accumulate and the last PID wins",
			[]step{{in: "SETUP KERNEL=a;KERNEL=b,c;PID=1;FREEZER=Storable;PID=2", out: []string{srvSetup}, done: true}}, []string{"a", "b", "c"}, 2},
		{"a refused SETUP may be followed by a good one",
			[]step{{in: "SETUP KERNEL=A;FREEZER=No::Such", out: []string{"NOT"}},
				{in: "SETUP KERNEL=A;FREEZER=Storable", out: []string{srvSetup}, done: true}}, []string{"A"}, 0},
		{"a line after the end is refused",
			[]step{{in: "SETUP KERNEL=A;FREEZER=Storable", out: []string{srvSetup}, done: true},
				{in: "SETUP KERNEL=A;FREEZER=Storable", err: ErrFinished}}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newServer(t, IKC0)
			if out := n.Start(); out != nil {
				t.Fatalf("a server spoke first: %q", out)
			}
			runSteps(t, n, tc.steps)
			if r, ok := n.Result(); ok && tc.peer != nil {
				if got := append([]string{r.PeerID}, r.PeerAliases...); !slices.Equal(got, tc.peer) || r.PeerPID != tc.pid {
					t.Errorf("peer %q pid %d, want %q pid %d", got, r.PeerPID, tc.peer, tc.pid)
				}
			}
		})
	}
}

// legacyPrefix brings a legacy server to phase 002.
var legacyPrefix = []step{
	{in: "HELLO", out: []string{"IAM srv-id"}},
	{in: "OK", out: []string{"IAM 127.0.0.1:603"}},
	{in: "OK", out: []string{"IAM Srv"}},
	{in: "OK", out: []string{"DONE"}},
}

func TestServerLegacy(t *testing.T) {
	tests := []struct {
		name       string
		proto      Protocol
		steps      []step
		serializer string
	}{
		{"an IKC0 server falls back when it gets HELLO", IKC0, append(slices.Clone(legacyPrefix),
			step{in: "IAM c", out: []string{"OK"}}, step{in: "DONE"},
			step{in: "FREEZER Storable", out: []string{"OK"}}, step{in: "WORLD", out: []string{"UP"}, done: true}), "Storable"},
		{"SETUP and HELLO IKC2 are refused in phase 000, garbage ignored", IKC, []step{
			{in: "SETUP KERNEL=a;FREEZER=Storable", out: []string{"NOT"}},
			{in: "HELLO IKC2", out: []string{"NOT"}}, {in: "garbage"}}, ""},
		{"anything but OK is refused while announcing, NOT is only noted", IKC, []step{
			{in: "HELLO", out: []string{"IAM srv-id"}}, {in: "NOT"}, {in: "what", out: []string{"NOT"}},
			{in: "OK", out: []string{"IAM 127.0.0.1:603"}}}, ""},
		{"a bad IAM name is refused while learning", IKC, append(slices.Clone(legacyPrefix),
			step{in: "IAM bad/name", out: []string{"NOT"}}, step{in: "NOT"}, step{in: "IAM\tgood", out: []string{"OK"}}), ""},
		{"unknown and malformed serializers are refused", IKC, append(slices.Clone(legacyPrefix),
			step{in: "IAM c", out: []string{"OK"}}, step{in: "DONE"},
			step{in: "FREEZER bad/name", out: []string{"NOT"}}, step{in: "FREEZER No::Such", out: []string{"NOT"}},
			step{in: "FREEZER msgpack", out: []string{"OK"}}, step{in: "WORLD", out: []string{"UP"}, done: true}), "msgpack"},
		{"WORLD without an agreed serializer uses the default", IKC, append(slices.Clone(legacyPrefix),
			step{in: "IAM c", out: []string{"OK"}}, step{in: "DONE"}, step{in: "junk", out: []string{"NOT"}},
			step{in: "WORLD", out: []string{"UP"}, done: true}), "Storable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newServer(t, tc.proto)
			runSteps(t, n, tc.steps)
			if r, ok := n.Result(); ok {
				if r.Serializer != tc.serializer || r.Protocol != IKC || r.HasPeerPID {
					t.Errorf("result %+v, want serializer %q over IKC without a PID", r, tc.serializer)
				}
			}
		})
	}
}

func TestClient(t *testing.T) {
	tests := []struct {
		name        string
		role        Role
		proto       Protocol
		serializers []string
		steps       []step
	}{
		{"an IKC0 client falls back to HELLO on NOT", ClientRole, IKC0, nil, []step{
			{in: "NOT", out: []string{"HELLO"}}, {in: "IAM s", out: []string{"OK"}},
			{in: "DONE", out: []string{"IAM cli-id"}}, {in: "OK", out: []string{"IAM Cli"}},
			{in: "OK", out: []string{"DONE", "FREEZER Storable"}}, {in: "OK", out: []string{"WORLD"}},
			{in: "UP", done: true}}},
		{"an IKC0 client answers other lines with NOT and keeps waiting", ClientRole, IKC0, nil, []step{
			{in: "garbage", out: []string{"NOT"}}, {in: "", out: nil},
			{in: "SETUP KERNEL=s;FREEZER=Storable", done: true}}},
		{"an IKC0 client fails on a SETUP with two serializers", ClientRole, IKC0, nil, []step{
			{in: "SETUP KERNEL=s;FREEZER=Storable,msgpack", out: []string{"NOT"}, err: ErrUnexpected}}},
		{"an IKC0 client fails on a serializer it does not have", ClientRole, IKC0, nil, []step{
			{in: "SETUP KERNEL=s;FREEZER=No::Such", err: ErrRefused}}},
		{"a legacy client proposes serializers until one is accepted", ClientRole, IKC, []string{"msgpack", "Storable"}, []step{
			{in: "DONE", out: []string{"IAM cli-id"}}, {in: "OK", out: []string{"IAM Cli"}},
			{in: "OK", out: []string{"DONE", "FREEZER msgpack"}}, {in: "NOT", out: []string{"FREEZER Storable"}},
			{in: "OK", out: []string{"WORLD"}}, {in: "NOT"}, {in: "what", out: []string{"NOT"}}, {in: "UP", done: true}}},
		{"a legacy client refused every serializer goes on with the default", ClientRole, IKC, []string{"msgpack"}, []step{
			{in: "IAM s", out: []string{"OK"}}, {in: "IAM bad/x", out: []string{"NOT"}},
			{in: "DONE", out: []string{"IAM cli-id"}}, {in: "OK", out: []string{"IAM Cli"}},
			{in: "OK", out: []string{"DONE", "FREEZER msgpack"}}, {in: "NOT", out: []string{"WORLD"}},
			{in: "UP", done: true}}},
		{"ClientLite fails when the server wants another serializer", LiteRole, IKC0, nil, []step{
			{in: "SETUP KERNEL=s;FREEZER=FreezeThaw;PID=1", err: ErrRefused}}},
		{"ClientLite fails on any other line in IKC0", LiteRole, IKC0, nil, []step{
			{in: "garbage", err: ErrUnexpected}}},
		{"ClientLite answers a bad SETUP with NOT and fails", LiteRole, IKC0, nil, []step{
			{in: "SETUP FREEZER=Storable", out: []string{"NOT"}, err: ErrUnexpected}}},
		{"ClientLite fails on a line that is not IAM", LiteRole, IKC, nil, []step{
			{in: "IAM s", out: []string{"OK"}}, {in: "NOT", err: ErrUnexpected}}},
		{"ClientLite fails when its serializer is refused", LiteRole, IKC0, nil, []step{
			{in: "NOT", out: []string{"HELLO"}}, {in: "DONE", out: []string{"IAM Cli"}},
			{in: "OK", out: []string{"DONE", "FREEZER Storable"}}, {in: "NOT", err: ErrRefused}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newClient(t, tc.role, tc.proto, tc.serializers...)
			n.Start()
			runSteps(t, n, tc.steps)
		})
	}
}

func TestLimits(t *testing.T) {
	t.Run("a line over the length limit fails the negotiation", func(t *testing.T) {
		n, _ := NewNegotiation(Options{Role: ServerRole, KernelID: "k", Serializers: []string{"Storable"}, MaxLineLength: 10})
		if _, err := n.Feed(strings.Repeat("x", 11)); !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("err = %v", err)
		}
		if _, err := n.Feed("HELLO"); !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("a failed negotiation must keep its error, got %v", err)
		}
	})
	t.Run("endless garbage fails after the line limit", func(t *testing.T) {
		n, _ := NewNegotiation(Options{Role: ServerRole, KernelID: "k", Serializers: []string{"Storable"}, MaxLines: 3})
		var err error
		for i := 0; i < 4 && err == nil; i++ {
			_, err = n.Feed("garbage")
		}
		var ne *Error
		if !errors.Is(err, ErrTooManyLines) || !errors.As(err, &ne) || ne.Phase != "010" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad options are refused", func(t *testing.T) {
		for _, o := range []Options{
			{KernelID: "k"},
			{KernelID: "k", Serializers: []string{"a,b"}},
			{KernelID: "", Serializers: []string{"Storable"}},
			{KernelID: "k", Name: "a;b", Serializers: []string{"Storable"}},
			{KernelID: "k", Protocol: "ikc0", Serializers: []string{"Storable"}},
			{Role: LiteRole, Serializers: []string{"Storable"}},
			{Role: Role(9), KernelID: "k", Serializers: []string{"Storable"}},
		} {
			if _, err := NewNegotiation(o); err == nil {
				t.Errorf("NewNegotiation(%+v) succeeded", o)
			}
		}
	})
}

// pump runs two machines against each other until both are done or one
// fails, and returns every line exchanged.
func pump(t *testing.T, srv, cli *Negotiation) {
	t.Helper()
	toSrv := cli.Start()
	var toCli []string
	for i := 0; i < 200 && (len(toSrv) > 0 || len(toCli) > 0); i++ {
		if len(toSrv) > 0 {
			out, err := srv.Feed(toSrv[0])
			if err != nil {
				t.Fatalf("server Feed(%q): %v", toSrv[0], err)
			}
			toSrv, toCli = toSrv[1:], append(toCli, out...)
			continue
		}
		out, err := cli.Feed(toCli[0])
		if err != nil {
			t.Fatalf("client Feed(%q): %v", toCli[0], err)
		}
		toCli, toSrv = toCli[1:], append(toSrv, out...)
	}
	if !srv.Done() || !cli.Done() {
		t.Fatalf("server phase %s, client phase %s", srv.Phase(), cli.Phase())
	}
}

func TestGoWithGo(t *testing.T) {
	for _, sp := range []Protocol{IKC0, IKC} {
		for _, role := range []Role{ClientRole, LiteRole} {
			for _, cp := range []Protocol{IKC0, IKC} {
				name := "a " + role.String() + " speaking " + string(cp) + " connects to a server speaking " + string(sp)
				t.Run(name, func(t *testing.T) {
					srv := newServer(t, sp)
					cli := newClient(t, role, cp, "msgpack", "Storable")
					pump(t, srv, cli)
					rs, _ := srv.Result()
					rc, _ := cli.Result()
					want := IKC0
					if sp == IKC || cp == IKC {
						want = IKC
					}
					if rs.Protocol != want || rc.Protocol != want {
						t.Errorf("protocols %s/%s, want %s", rs.Protocol, rc.Protocol, want)
					}
					if rs.Serializer != "msgpack" || rc.Serializer != "msgpack" {
						t.Errorf("serializers %q/%q, want msgpack", rs.Serializer, rc.Serializer)
					}
					if rc.PeerID != "srv-id" {
						t.Errorf("client registered the server as %q", rc.PeerID)
					}
					wantID := "cli-id"
					if role == LiteRole {
						wantID = "Cli"
					}
					if rs.PeerID != wantID {
						t.Errorf("server registered the client as %q, want %q", rs.PeerID, wantID)
					}
				})
			}
		}
	}
}
