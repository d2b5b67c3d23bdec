package specifier

import (
	"errors"
	"testing"
)

// accepted holds every accepted example of the protocol spec, section 9.2.
var accepted = []struct {
	in   string
	want Specifier
}{
	{"poe://kernel/session/state", Specifier{"kernel", "session", "state", ""}},
	{"poe://kernel/session", Specifier{"kernel", "session", "", ""}},
	{"poe://kernel/session/", Specifier{"kernel", "session", "", ""}},
	{"poe://kernel", Specifier{"kernel", "", "", ""}},
	{"poe://kernel/", Specifier{"kernel", "", "", ""}},
	{"poe:/session/state", Specifier{"", "session", "state", ""}},
	{"poe:/session", Specifier{"", "session", "", ""}},
	{"poe:state", Specifier{"", "", "state", ""}},
	{"poe:", Specifier{}},
	{"poe://", Specifier{}},
	{"poe:///session/state", Specifier{"", "session", "state", ""}},
	{"poe://*/session/state", Specifier{"*", "session", "state", ""}},
	{"poe://host.example.com:603/sess/st", Specifier{"host.example.com:603", "sess", "st", ""}},
	{"poe://unix:_tmp_x.sock:123-4/s/e", Specifier{"unix:_tmp_x.sock:123-4", "s", "e", ""}},
	{"poe://vm-6b03-0001/s/e", Specifier{"vm-6b03-0001", "s", "e", ""}},
	{"poe://my kernel/my session/my state", Specifier{"my kernel", "my session", "my state", ""}},
	{"poe://k/s/e?arg", Specifier{"k", "s", "e", "arg"}},
	{"poe://k/s?arg", Specifier{"k", "s", "", "arg"}},
	{"session/state", Specifier{"", "session", "state", ""}},
	{"state", Specifier{"", "", "state", ""}},
	{"//kernel/session/state", Specifier{"kernel", "session", "state", ""}},
	{"//kernel/session", Specifier{"kernel", "", "session", ""}},
	{"//kernel/", Specifier{"kernel", "", "", ""}},
	// Beyond the table: shapes the grammar implies.
	{"poe://vm-6b037fb5-0000266e-00000001/IKC/ping", Specifier{"vm-6b037fb5-0000266e-00000001", "IKC", "ping", ""}},
	{"poe://127.0.0.1:41001/echo/echo", Specifier{"127.0.0.1:41001", "echo", "echo", ""}},
	{"poe://unix:_tmp_probe_s.sock/s/e", Specifier{"unix:_tmp_probe_s.sock", "s", "e", ""}},
	{"poe://Srv/2/cb", Specifier{"Srv", "2", "cb", ""}},
	{"poe:?x", Specifier{"", "", "", "x"}},
	{"00", Specifier{"", "", "00", ""}},
	// A state may follow the kernel with no slash when the kernel's
	// host:port alternative matches first: Perl IKC 0.2402 splits both
	// so (its specifier_name of the first gives the second).
	{"poe://unix:0A0/", Specifier{"unix:0A0", "", "", ""}},
	{"poe://unix:0A0", Specifier{"unix:0", "", "A0", ""}},
}

// rejected holds every rejected example of section 9.2.
var rejected = []string{
	"poe://k:80/s/e",
	"poe://a:b/s/e",
	"poe://k/s.x/e",
	"poe://k/s/IKC:proxy",
	"poe://k/s/e?ar-g",
	"poe://k/s/st/extra",
	"POE://k/s/e",
	"//kernel",
	"kernel/session/state",
	"/session/state",
	"a/b/c/d",
	"",
	"0",
	"poe://k/s/e\n",
}

func TestParse(t *testing.T) {
	for _, tc := range accepted {
		t.Run(tc.in+" is accepted", func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("Parse(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
	for _, in := range rejected {
		t.Run(in+" is rejected", func(t *testing.T) {
			got, err := Parse(in)
			if err == nil {
				t.Fatalf("Parse(%q) = %#v, want an error", in, got)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		in   Specifier
		want string
	}{
		{"a full specifier keeps all three parts", Specifier{"k", "s", "e", ""}, "poe://k/s/e"},
		{"args are dropped", Specifier{"k", "s", "e", "x"}, "poe://k/s/e"},
		{"an empty kernel leaves out the slashes", Specifier{"", "s", "e", ""}, "poe:/s/e"},
		{"a lone state looks like a session", Specifier{"", "", "x", ""}, "poe:/x"},
		{"an empty specifier is the bare scheme", Specifier{}, "poe:"},
		{"a kernel alone has no trailing slash", Specifier{"k", "", "", ""}, "poe://k"},
		{"a missing session is skipped", Specifier{"k", "", "e", ""}, "poe://k/e"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	t.Run("Target prefixes a bare string so its first word is the kernel", func(t *testing.T) {
		if got := Target("Srv/echo/st"); got != "poe://Srv/echo/st" {
			t.Errorf("got %q", got)
		}
		if got := Target("poe:/echo/st"); got != "poe:/echo/st" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("ParseTarget reads a lone word as a kernel", func(t *testing.T) {
		for in, kernel := range map[string]string{"Pulse": "Pulse", "Pulse/x": "Pulse"} {
			s, err := ParseTarget(in)
			if err != nil || s.Kernel != kernel {
				t.Errorf("ParseTarget(%q) = %#v, %v", in, s, err)
			}
		}
	})
	t.Run("ParseTarget reads echo/st as kernel echo and session st with no state", func(t *testing.T) {
		s, err := ParseTarget("echo/st")
		if err != nil || s != (Specifier{"echo", "st", "", ""}) {
			t.Errorf("ParseTarget(echo/st) = %#v, %v", s, err)
		}
	})
	t.Run("Relative puts ClientLite targets under the remote name", func(t *testing.T) {
		if got := Relative("localhost:41062", "echo/echo"); got != "poe://localhost:41062/echo/echo" {
			t.Errorf("got %q", got)
		}
		if got := Relative("x", "poe://k/s/e"); got != "poe://k/s/e" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("FromValue takes a hash as is and fills missing keys", func(t *testing.T) {
		s, err := FromValue(map[string]any{"kernel": "Client", "session": int64(2)})
		if err != nil || s != (Specifier{"Client", "2", "", ""}) {
			t.Errorf("got %#v, %v", s, err)
		}
	})
	t.Run("FromValue does not validate a hash", func(t *testing.T) {
		s, err := FromValue(map[string]any{"kernel": "k", "session": "s", "state": "IKC:proxy"})
		if err != nil || s.State != "IKC:proxy" {
			t.Errorf("got %#v, %v", s, err)
		}
	})
	t.Run("FromValue refuses undef, arrays and nested references", func(t *testing.T) {
		for _, v := range []any{nil, []any{"a"}, int64(3), map[string]any{"kernel": []any{}}} {
			if s, err := FromValue(v); err == nil {
				t.Errorf("FromValue(%#v) = %#v, want an error", v, s)
			}
		}
	})
	t.Run("Name formats strings, hashes and session-state pairs", func(t *testing.T) {
		cases := map[string]any{
			"poe://k/s/e":          "poe://k/s/e",
			"poe://Client/2/reply": map[string]any{"kernel": "Client", "session": int64(2), "state": "reply"},
			"poe:/s/e":             []any{"s", "e"},
			"poe:":                 map[string]any{},
		}
		for want, in := range cases {
			if got, err := Name(in); err != nil || got != want {
				t.Errorf("Name(%#v) = %q, %v; want %q", in, got, err, want)
			}
		}
	})
}

// FuzzParse checks that Parse never panics and that formatting a parsed
// specifier gives a string that parses and formats to itself, but for
// the one split inherited from IKC's grammar (stateSplitOffKernel).
func FuzzParse(f *testing.F) {
	for _, tc := range accepted {
		f.Add(tc.in)
	}
	for _, in := range rejected {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			return
		}
		out := s.String()
		s2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) = %#v formats as %q, which does not parse: %v", in, s, out, err)
		}
		if again := s2.String(); again != out && !stateSplitOffKernel(s, s2) {
			t.Fatalf("%q -> %q -> %q: not stable", in, out, again)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("poe://vm-6b037fb5-0000266e-00000001/echo/echo"); err != nil {
			b.Fatal(err)
		}
	}
}

// stateSplitOffKernel reports the trap String documents: a kernel-only
// specifier whose kernel, formatted, parses back as a shorter kernel and
// a state (poe://unix:0A0 as unix:0 and A0), as it does in Perl.
func stateSplitOffKernel(s, again Specifier) bool {
	return s.Session == "" && s.State == "" && again.Session == "" &&
		again.Kernel != s.Kernel && again.Kernel+again.State == s.Kernel
}
