// Package ikc_test mirrors the test suite of POE::Component::IKC; this
// file mirrors t/05_specifier.t, which parses the string forms of a
// specifier (with and without the poe: scheme, with the * kernel and with
// ?args) and checks each part.
package ikc_test

import (
	"testing"

	"github.com/poe-go/poe/component/ikc/specifier"
)

func TestSpecifier(t *testing.T) {
	tests := []struct {
		name                         string
		in                           string
		kernel, session, state, args string
	}{
		{"a full specifier names kernel, session and state", "poe://kernel/session/state", "kernel", "session", "state", ""},
		{"a specifier without a state has an empty state", "poe://kernel/session", "kernel", "session", "", ""},
		{"a trailing slash after the session adds nothing", "poe://kernel/session/", "kernel", "session", "", ""},
		{"a kernel alone names only the kernel", "poe://kernel", "kernel", "", "", ""},
		{"a kernel with a trailing slash names only the kernel", "poe://kernel/", "kernel", "", "", ""},
		{"one leading slash starts at the session", "poe:/session/state", "", "session", "state", ""},
		{"one leading slash and one word is a session", "poe:/session", "", "session", "", ""},
		{"no slash after the scheme is a state", "poe:state", "", "", "state", ""},
		{"an empty kernel may be written with three slashes", "poe:///session/state", "", "session", "state", ""},
		{"the star kernel means every kernel", "poe://*/session/state", "*", "session", "state", ""},
		{"a host and port is one kernel name", "poe://host.example.com:603/sess/st", "host.example.com:603", "sess", "st", ""},
		{"a unix socket name with pid and fileno is one kernel name", "poe://unix:_tmp_x.sock:123-4/s/e", "unix:_tmp_x.sock:123-4", "s", "e", ""},
		{"names may contain spaces", "poe://my kernel/my session/my state", "my kernel", "my session", "my state", ""},
		{"args follow a question mark", "poe://k/s/e?arg", "k", "s", "e", "arg"},
		{"args may follow a session", "poe://k/s?arg", "k", "s", "", "arg"},
		{"without a scheme two words are session and state", "session/state", "", "session", "state", ""},
		{"without a scheme one word is a state", "state", "", "", "state", ""},
		{"without a scheme a kernel follows two slashes", "//kernel/session/state", "kernel", "session", "state", ""},
		{"without a scheme one word after the kernel is a state", "//kernel/session", "kernel", "", "session", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := specifier.Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if s.Kernel != tc.kernel || s.Session != tc.session || s.State != tc.state || s.Args != tc.args {
				t.Errorf("Parse(%q) = %#v", tc.in, s)
			}
		})
	}
}
