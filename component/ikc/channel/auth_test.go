package channel

import (
	"errors"
	"strings"
	"testing"
)

// exchange runs the authentication between a client and a server machine
// and returns the lines in order and the first error.
func exchange(t *testing.T, cs, ss []byte, tamper func(string) string) ([]string, error) {
	t.Helper()
	c := newAuth(ClientRole, cs, "cli-id", "srv-id")
	s := newAuth(ServerRole, ss, "srv-id", "cli-id")
	var wire []string
	toServer := c.start()
	for i := 0; i < 4 && !(c.done && s.done); i++ {
		var toClient []string
		for _, l := range toServer {
			if tamper != nil {
				l = tamper(l)
			}
			wire = append(wire, "C>S "+l)
			out, err := s.feed(l)
			if err != nil {
				return wire, err
			}
			toClient = append(toClient, out...)
		}
		toServer = nil
		for _, l := range toClient {
			wire = append(wire, "S>C "+l)
			out, err := c.feed(l)
			if err != nil {
				return wire, err
			}
			toServer = append(toServer, out...)
		}
	}
	if !c.done || !s.done {
		t.Fatalf("not done: client %v server %v: %q", c.done, s.done, wire)
	}
	return wire, nil
}

func TestAuthWithTheSameSecretSucceedsWithoutSendingIt(t *testing.T) {
	secret := []byte("correct horse battery staple")
	wire, err := exchange(t, secret, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(wire) != 4 {
		t.Fatalf("%d lines: %q", len(wire), wire)
	}
	for _, l := range wire {
		if strings.Contains(l, string(secret)) || strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %q", l)
		}
	}
	again, _ := exchange(t, secret, secret, nil)
	if again[0] == wire[0] || again[1] == wire[1] {
		t.Error("nonces repeat between connections")
	}
}

func TestAuthFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cs, ss []byte
		tamper func(string) string
	}{
		{"a client with another secret is refused", []byte("a"), []byte("b"), nil},
		{"a client proof replayed with another nonce is refused", []byte("k"), []byte("k"), func(l string) string {
			if strings.HasPrefix(l, authTag+" OK ") {
				// Change the proof's last octet whatever it is: a
				// fixed "00" left one proof in 256 untouched.
				last := "00"
				if strings.HasSuffix(l, last) {
					last = "01"
				}
				return l[:len(l)-2] + last
			}
			return l
		}},
		{"a client that sends frames instead is refused", []byte("k"), []byte("k"), func(string) string { return "14\x00\x05\x0b" }},
		{"a short nonce is refused", []byte("k"), []byte("k"), func(l string) string {
			if strings.HasPrefix(l, authTag+" ") && !strings.Contains(l, "OK") {
				return authTag + " abcd"
			}
			return l
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := exchange(t, tc.cs, tc.ss, tc.tamper)
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
