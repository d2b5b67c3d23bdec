package wheels_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

const tick = 5 * time.Millisecond

func appendFile(t testing.TB, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// TestFollowTailStartsAtEnd mirrors POE's t/90_regression
// bingos-followtail.t: what the file held before the wheel was made is
// skipped; SeekBack and FromStart read it.
func TestFollowTailStartsAtEnd(t *testing.T) {
	cases := []struct {
		name string
		o    wheel.FollowTailOptions
		want []string
	}{
		{"by default the wheel starts at the end", wheel.FollowTailOptions{}, []string{"new"}},
		{"SeekBack starts before the end", wheel.FollowTailOptions{SeekBack: 4}, []string{"two", "new"}},
		{"FromStart starts at the beginning", wheel.FollowTailOptions{FromStart: true}, []string{"one", "two", "new"}},
		{"Seek starts at an offset", wheel.FollowTailOptions{Seek: 4}, []string{"two", "new"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			name := filepath.Join(t.TempDir(), "log")
			appendFile(t, name, "one\ntwo\n")
			var w *wheel.FollowTail
			var got []string
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					o := c.o
					o.Filename, o.PollInterval, o.InputEvent, o.IdleEvent = name, tick, "in", "idle"
					var err error
					if w, err = wheel.NewFollowTail(e, o); err != nil {
						t.Fatal(err)
					}
					return nil
				},
				"idle": func(e *kernel.Event) any {
					appendFile(t, name, "new\n")
					return nil
				},
				"in": func(e *kernel.Event) any {
					got = append(got, e.ArgString(0))
					if e.ArgString(0) == "new" {
						if w.Tell() != 12 {
							t.Errorf("Tell() = %d, want 12", w.Tell())
						}
						w.Close()
					}
					return nil
				},
			})
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestFollowTailRotation mirrors POE's t/90_regression
// whjackson-followtail.t and t/30_loops wheel_tail: lines written while
// the file grows, is rotated (renamed and recreated) and truncated all
// arrive, in order, with one ResetEvent for each replacement.
func TestFollowTailRotation(t *testing.T) {
	checkFds(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "log")
	appendFile(t, name, "")
	const total = 60
	var w *wheel.FollowTail
	var got []string
	var resets int
	written := 0
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewFollowTail(e, wheel.FollowTailOptions{Filename: name, PollInterval: tick,
				InputEvent: "in", ResetEvent: "reset", ErrorEvent: "err"})
			e.Kernel.Delay("write", 0)
			return nil
		},
		"write": func(e *kernel.Event) any {
			// Several lines per step, and every 20 lines the file is
			// rotated right after a write, before the wheel has polled.
			for i := 0; i < 4 && written < total; i++ {
				appendFile(t, name, fmt.Sprintf("line %d\n", written))
				written++
				if written%20 == 0 && written < total {
					if err := os.Rename(name, name+".1"); err != nil {
						t.Fatal(err)
					}
					appendFile(t, name, "")
				}
			}
			if written < total {
				e.Kernel.Delay("write", tick/2)
			}
			return nil
		},
		"reset": func(e *kernel.Event) any { resets++; return nil },
		"err":   func(e *kernel.Event) any { t.Errorf("ErrorEvent %v", e.Args); w.Close(); return nil },
		"in": func(e *kernel.Event) any {
			got = append(got, e.ArgString(0))
			if len(got) == total {
				w.Close()
			}
			return nil
		},
	})
	for i, l := range got {
		if l != fmt.Sprintf("line %d", i) {
			t.Fatalf("line %d is %q; got %q", i, l, got)
		}
	}
	if len(got) != total || resets != 2 {
		t.Errorf("%d lines and %d resets, want %d and 2", len(got), resets, total)
	}
}

// TestFollowTailTruncation checks that a truncated file is read again
// from its start after a ResetEvent.
func TestFollowTailTruncation(t *testing.T) {
	checkFds(t)
	name := filepath.Join(t.TempDir(), "log")
	appendFile(t, name, "")
	var w *wheel.FollowTail
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewFollowTail(e, wheel.FollowTailOptions{Filename: name, PollInterval: tick,
				InputEvent: "in", ResetEvent: "reset"})
			appendFile(t, name, "a long first line\n")
			return nil
		},
		"in": func(e *kernel.Event) any {
			got = append(got, e.ArgString(0))
			switch e.ArgString(0) {
			case "a long first line":
				if err := os.Truncate(name, 0); err != nil {
					t.Fatal(err)
				}
				appendFile(t, name, "b\n")
			case "b":
				w.Close()
			}
			return nil
		},
		"reset": func(e *kernel.Event) any { got = append(got, "reset"); return nil },
	})
	if want := []string{"a long first line", "reset", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestFollowTailPipe mirrors POE's t/90_regression pipe-followtail.t: a
// pipe is watched rather than polled, and its end is reported as
// ErrorEvent ("read", 0).
func TestFollowTailPipe(t *testing.T) {
	checkFds(t)
	pr, pw := pipe(t)
	var w *wheel.FollowTail
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewFollowTail(e, wheel.FollowTailOptions{Handle: pr, InputEvent: "in", ErrorEvent: "err"})
			writeAll(t, pw, []byte("x\ny\n"))
			unix.Close(pw)
			return nil
		},
		"in":  func(e *kernel.Event) any { got = append(got, e.ArgString(0)); return nil },
		"err": func(e *kernel.Event) any { got = append(got, fmt.Sprint(e.Args[:3])); w.Close(); return nil },
	})
	if want := []string{"x", "y", "[read 0 ]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
