package wheels_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/poe-go/poe/poe/wheel"
)

// TestFollowTailWriterKeepsAppending holds a followed file taken from
// its name while its writer keeps appending to its open descriptor, and
// a new file made at the name later. What reached the file before the
// poll that finds the name gone is delivered in both cases.
//
// An unlinked file is then dropped, in the sequence Perl POE 1.370
// gives: the lines the writer adds to the removed file are never
// delivered, and the new file is read from its start after a
// ResetEvent. Holding the removed file would keep its space in use for
// as long as the name stays missing.
//
// A file renamed away is, unlike in POE, read until the new file
// appears and to its end then, so the lines its writer adds before
// reopening the name (as a log rotated by renaming gets) are not lost;
// what is written to it after the switch is not delivered. Perl POE
// 1.370 gives the same sequence as for the unlink there, without d and e.
func TestFollowTailWriterKeepsAppending(t *testing.T) {
	cases := []struct {
		name   string
		remove func(name string) error
		want   []string
	}{
		{"an unlinked file is dropped once read to its end",
			os.Remove,
			[]string{"tell 0", "idle", "in a", "idle", "in b", "in c", "idle", "idle", "idle", "idle",
				"reset", "in new1", "idle", "idle", "idle", "idle", "tell 5"}},
		{"a renamed file is read until a new file appears",
			func(name string) error { return os.Rename(name, name+".1") },
			[]string{"tell 0", "idle", "in a", "idle", "in b", "in c", "idle", "idle", "in d", "idle", "idle",
				"in e", "reset", "in new1", "idle", "idle", "idle", "idle", "tell 5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			name := filepath.Join(t.TempDir(), "log")
			wr, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer wr.Close()
			put := func(s string) {
				if _, err := wr.WriteString(s + "\n"); err != nil {
					t.Fatal(err)
				}
			}
			got := tailEvents(t, name, wheel.FollowTailOptions{}, "-", func(n int) bool {
				switch n {
				case 1:
					put("a")
				case 2:
					put("b")
					if err := c.remove(name); err != nil {
						t.Fatal(err)
					}
					put("c")
				case 4:
					put("d")
				case 6:
					writeFile(t, name, "new1\n")
					put("e")
				case 8:
					put("f")
				}
				return n >= 10
			})
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("events %q,\nwant %q", got, c.want)
			}
		})
	}
}
