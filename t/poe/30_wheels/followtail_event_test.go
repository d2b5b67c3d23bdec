package wheels_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// TestFollowTailEvent holds FollowTail's event method as POE 1.370's: a
// renamed IdleEvent, InputEvent or ResetEvent takes effect at once, even
// for the records left in the block being delivered (POE's states read
// the event names through references), and an empty InputEvent is
// refused with the old one kept, as POE ignores an undef one.
func TestFollowTailEvent(t *testing.T) {
	checkFds(t)
	name := filepath.Join(t.TempDir(), "log")
	appendFile(t, name, "")
	var w *wheel.FollowTail
	var got []string
	rename := func(pairs ...string) {
		t.Helper()
		if err := w.Event(pairs...); err != nil {
			t.Error(err)
		}
	}
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			w, err = wheel.NewFollowTail(e, wheel.FollowTailOptions{Filename: name, PollInterval: tick,
				InputEvent: "in", IdleEvent: "idle", ResetEvent: "reset"})
			if err != nil {
				t.Fatal(err)
			}
			checkEventRefused(t, w, []string{"InputEvent"}, []string{"InputEvent", ""}, []string{"FlushedEvent", "x"})
			return nil
		},
		"idle": func(e *kernel.Event) any {
			if len(got) > 0 {
				t.Error("the old IdleEvent fired again")
				w.Close()
				return nil
			}
			got = append(got, "idle")
			rename("IdleEvent", "idle2")
			appendFile(t, name, "a\nb\n")
			return nil
		},
		"in": func(e *kernel.Event) any {
			got = append(got, "in "+e.ArgString(0))
			rename("InputEvent", "in2")
			return nil
		},
		"in2": func(e *kernel.Event) any {
			got = append(got, "in2 "+e.ArgString(0))
			if e.ArgString(0) == "b" {
				rename("ResetEvent", "reset2")
				if err := os.Truncate(name, 0); err != nil {
					t.Fatal(err)
				}
				appendFile(t, name, "c\n")
			}
			return nil
		},
		"reset":  func(e *kernel.Event) any { t.Error("the old ResetEvent fired"); w.Close(); return nil },
		"reset2": func(e *kernel.Event) any { got = append(got, "reset2"); return nil },
		"idle2": func(e *kernel.Event) any {
			got = append(got, "idle2")
			w.Close()
			return nil
		},
	})
	want := []string{"idle", "in a", "in2 b", "reset2", "in2 c", "idle2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestFollowTailEventError holds a renamed ErrorEvent: the end of a
// followed pipe goes to the new name.
func TestFollowTailEventError(t *testing.T) {
	checkFds(t)
	pr, pw := pipe(t)
	var w *wheel.FollowTail
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewFollowTail(e, wheel.FollowTailOptions{Handle: pr, InputEvent: "in", ErrorEvent: "err"})
			if err := w.Event("ErrorEvent", "err2"); err != nil {
				t.Error(err)
			}
			unix.Close(pw)
			return nil
		},
		"err":  func(e *kernel.Event) any { t.Errorf("the old ErrorEvent got %v", e.Args); w.Close(); return nil },
		"err2": func(e *kernel.Event) any { got = append(got, fmt.Sprint(e.Args[:3])); w.Close(); return nil },
	})
	if want := []string{"[read 0 ]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
