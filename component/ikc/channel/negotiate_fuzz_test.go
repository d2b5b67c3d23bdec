package channel

import (
	"strings"
	"testing"
)

// FuzzNegotiate feeds random lines to every role and protocol: the machine
// must never panic, never emit a line that cannot travel, and end in
// success or an error within its line limit.
func FuzzNegotiate(f *testing.F) {
	seeds := []string{
		"SETUP KERNEL=a,b;FREEZER=Storable;PID=1",
		"NOT\nIAM x\nDONE\nOK\nOK\nOK\nUP",
		"HELLO\nOK\nOK\nOK\nIAM c\nDONE\nFREEZER Storable\nWORLD",
		"HELLO IKC1\nSETUP\nSETUP KERNEL=,;FREEZER=",
		"IAM s\nDONE\nOK\nOK\nNOT\nNOT\nOK\nUP",
		"\n\n\nOK\nSETUP KERNEL=x;PID=99999999999999999999999",
	}
	for mode := range byte(6) {
		for _, s := range seeds {
			f.Add(mode, s)
		}
	}
	f.Fuzz(func(t *testing.T, mode byte, input string) {
		const maxLines = 40
		opts := Options{
			Role: Role(mode % 3), Protocol: []Protocol{IKC0, IKC}[mode/3%2],
			KernelID: "k-1", Name: "Me", Aliases: []string{"alias"}, TransportName: "127.0.0.1:1",
			SanityAlias: "peer:2", Serializers: []string{"msgpack", "Storable"}, PID: 3,
			MaxLines: maxLines, MaxLineLength: 200,
		}
		n, err := NewNegotiation(opts)
		if err != nil {
			t.Fatal(err)
		}
		checkLines(t, n.Start())
		fed := 0
		for _, line := range strings.Split(input, "\n") {
			out, err := n.Feed(line)
			fed++
			checkLines(t, out)
			if err != nil || n.Done() {
				break
			}
		}
		if fed > maxLines+1 {
			t.Fatalf("%d lines fed without an end", fed)
		}
		if n.Done() {
			r, ok := n.Result()
			if !ok || r.PeerID == "" || r.Serializer == "" {
				t.Fatalf("done with result %+v, %v", r, ok)
			}
			return
		}
		// Feeding more garbage must end it within the limit.
		for i := 0; i <= maxLines && !n.Done() && n.Err() == nil; i++ {
			out, _ := n.Feed("x")
			checkLines(t, out)
		}
		if !n.Done() && n.Err() == nil {
			t.Fatalf("still negotiating after %d lines", maxLines+1)
		}
	})
}

func checkLines(t *testing.T, lines []string) {
	t.Helper()
	for _, l := range lines {
		if l == "" || strings.ContainsAny(l, "\r\n") {
			t.Fatalf("emitted line %q", l)
		}
	}
}
