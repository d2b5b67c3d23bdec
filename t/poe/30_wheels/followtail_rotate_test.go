package wheels_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// tailEvents runs a FollowTail on name with o, logging its events as
// "in <record>", "reset", "idle" and "err <op> <errno>". At the n-th
// IdleEvent, step(n) may change the file; the wheel is closed when step
// returns true, or at the IdleEvent after a record equal to last. Tell
// is logged as "tell <n>" just after the wheel is made and before it is
// closed.
func tailEvents(t *testing.T, name string, o wheel.FollowTailOptions, last string, step func(n int) bool) []string {
	t.Helper()
	var w *wheel.FollowTail
	var got []string
	idles, sawLast := 0, false
	done := func() {
		got = append(got, "tell "+itoa(w.Tell()))
		w.Close()
	}
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			o.Filename, o.PollInterval = name, tick
			o.InputEvent, o.ResetEvent, o.IdleEvent, o.ErrorEvent = "in", "reset", "idle", "err"
			var err error
			if w, err = wheel.NewFollowTail(e, o); err != nil {
				t.Fatal(err)
			}
			got = append(got, "tell "+itoa(w.Tell()))
			return nil
		},
		"in": func(e *kernel.Event) any {
			got = append(got, "in "+e.ArgString(0))
			sawLast = sawLast || e.ArgString(0) == last
			return nil
		},
		"reset": func(e *kernel.Event) any { got = append(got, "reset"); return nil },
		"err": func(e *kernel.Event) any {
			got = append(got, "err "+e.ArgString(0)+" "+itoa(int64(e.ArgInt(1))))
			w.Close()
			return nil
		},
		"idle": func(e *kernel.Event) any {
			idles++
			got = append(got, "idle")
			if sawLast || step(idles) {
				done()
			}
			return nil
		},
	})
	return got
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func writeFile(t testing.TB, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFollowTailStartPartialLine holds where the wheel starts in a file
// whose last line is not finished, with each start option, in the
// sequences Perl POE 1.370 gives: by default the end, with the unfinished
// line kept (POE reads the last 4 KiB through the filter and discards
// the whole records only), so the next write completes it; Seek beyond
// the end starts at the end, without a ResetEvent; SeekBack beyond the
// start starts at 0; Seek and SeekBack inside the file start there, even
// mid-line.
func TestFollowTailStartPartialLine(t *testing.T) {
	cases := []struct {
		name string
		o    wheel.FollowTailOptions
		want []string
	}{
		{"by default the unfinished last line is completed by the next write",
			wheel.FollowTailOptions{},
			[]string{"tell 6", "idle", "in two", "in three", "idle", "tell 14"}},
		{"Seek beyond the end starts at the end",
			wheel.FollowTailOptions{Seek: 100},
			[]string{"tell 6", "idle", "in o", "in three", "idle", "tell 14"}},
		{"SeekBack beyond the start starts at the start",
			wheel.FollowTailOptions{SeekBack: 100},
			[]string{"tell 0", "in one", "idle", "in two", "in three", "idle", "tell 14"}},
		{"FromStart reads the whole file",
			wheel.FollowTailOptions{FromStart: true},
			[]string{"tell 0", "in one", "idle", "in two", "in three", "idle", "tell 14"}},
		{"Seek inside the file starts mid-line",
			wheel.FollowTailOptions{Seek: 5},
			[]string{"tell 5", "idle", "in wo", "in three", "idle", "tell 14"}},
		{"SeekBack inside the file starts at the offset",
			wheel.FollowTailOptions{SeekBack: 3},
			[]string{"tell 3", "in ", "idle", "in two", "in three", "idle", "tell 14"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			name := filepath.Join(t.TempDir(), "log")
			writeFile(t, name, "one\ntw")
			got := tailEvents(t, name, c.o, "three", func(n int) bool {
				if n == 1 {
					appendFile(t, name, "o\nthree\n")
				}
				return n > 3
			})
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("events %q, want %q", got, c.want)
			}
		})
	}
}

// TestFollowTailReplacedFile holds the ways a followed file is replaced,
// in the sequences Perl POE 1.370 gives: the old file is read to its end
// first; the new one gets one ResetEvent and is read from its start; an
// unfinished line of the old file is completed by the new file's first
// line, as POE does not reset the filter; and a file that does not
// exist yet, or was removed, is waited for (with IdleEvents) and read
// from its start once it appears.
func TestFollowTailReplacedFile(t *testing.T) {
	cases := []struct {
		name   string
		before string // the file's content when the wheel is made; "-" is no file
		step   func(t *testing.T, name string, n int)
		last   string
		want   []string
	}{
		{
			name: "a file renamed and recreated is read from its start",
			step: func(t *testing.T, name string, n int) {
				if n == 1 {
					appendFile(t, name, "a\nb")
					if err := os.Rename(name, name+".1"); err != nil {
						t.Fatal(err)
					}
					writeFile(t, name, "c\nd\n")
				}
			},
			last: "d",
			want: []string{"tell 0", "idle", "in a", "reset", "in bc", "in d", "idle", "tell 4"},
		},
		{
			name:   "a file that does not exist yet is read once it appears",
			before: "-",
			step: func(t *testing.T, name string, n int) {
				if n == 3 {
					writeFile(t, name, "a\nb\n")
				}
			},
			last: "b",
			want: []string{"tell 0", "idle", "idle", "idle", "reset", "in a", "in b", "idle", "tell 4"},
		},
		{
			name: "a removed file is waited for and read once recreated",
			step: func(t *testing.T, name string, n int) {
				switch n {
				case 1:
					appendFile(t, name, "a\npart")
					if err := os.Remove(name); err != nil {
						t.Fatal(err)
					}
				case 3:
					writeFile(t, name, "ial\nb\n")
				}
			},
			last: "b",
			want: []string{"tell 0", "idle", "in a", "idle", "idle", "reset", "in partial", "in b", "idle", "tell 6"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			name := filepath.Join(t.TempDir(), "log")
			if c.before != "-" {
				writeFile(t, name, c.before)
			}
			got := tailEvents(t, name, wheel.FollowTailOptions{}, c.last, func(n int) bool {
				c.step(t, name, n)
				return n > 10
			})
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("events %q, want %q", got, c.want)
			}
		})
	}
}

// TestFollowTailMissingFileErrors checks that only a missing file is
// waited for: a name that cannot be opened for another reason is still
// the constructor's error.
func TestFollowTailMissingFileErrors(t *testing.T) {
	checkFds(t)
	dir := t.TempDir()
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, err := wheel.NewFollowTail(e, wheel.FollowTailOptions{Filename: filepath.Join(dir, "no", "dir", "log"), InputEvent: "in"})
			if err != nil {
				t.Errorf("a file in a missing directory: %v, want it waited for", err)
				return nil
			}
			w.Close()
			return nil
		},
	})
	// ENOTDIR: a path through a regular file is never going to exist.
	file := filepath.Join(dir, "file")
	writeFile(t, file, "")
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			_, err := wheel.NewFollowTail(e, wheel.FollowTailOptions{Filename: filepath.Join(file, "log"), InputEvent: "in"})
			if !errors.Is(err, syscall.ENOTDIR) {
				t.Errorf("NewFollowTail error %v, want ENOTDIR", err)
			}
			return nil
		},
	})
}

// TestFollowTailClosePending holds Close while the wheel waits for its
// file to appear, from a later event of its own session or from another
// session: the pending poll is cancelled, so the session is left with
// nothing to do and stops at once, and no event follows the Close.
func TestFollowTailClosePending(t *testing.T) {
	cases := []struct {
		name  string
		other bool
	}{
		{"closed by its own session", false},
		{"closed by another session", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			name := filepath.Join(t.TempDir(), "log")
			var w *wheel.FollowTail
			var got []string
			k := kernel.MustNew()
			defer k.Close()
			closeIt := func(e *kernel.Event) any {
				got = append(got, "close")
				w.Close()
				writeFile(t, name, "a\n") // too late: nobody polls any more
				return nil
			}
			closer := k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any { e.Kernel.AliasSet("closer"); return nil },
				"close": func(e *kernel.Event) any {
					if c.other {
						closeIt(e)
					}
					e.Kernel.AliasRemove("closer")
					return nil
				},
			}})
			k.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					// The poll after the first comes only after the time
					// limit: the session ends in time only if Close
					// cancels it.
					w, _ = wheel.NewFollowTail(e, wheel.FollowTailOptions{Filename: name, PollInterval: 2 * limit,
						InputEvent: "in", IdleEvent: "idle", ResetEvent: "reset"})
					return nil
				},
				"idle": func(e *kernel.Event) any {
					got = append(got, "idle")
					if !c.other {
						e.Kernel.Yield("close")
					}
					e.Kernel.Post(closer, "close")
					return nil
				},
				"close": closeIt,
				"in":    func(e *kernel.Event) any { t.Errorf("InputEvent %v", e.Args); return nil },
				"reset": func(e *kernel.Event) any { t.Error("ResetEvent"); return nil },
			}})
			runKernel(t, k)
			if !reflect.DeepEqual(got, []string{"idle", "close"}) {
				t.Errorf("events %q, want an IdleEvent and the Close", got)
			}
		})
	}
}

// TestFollowTailHandleClose holds Close of a wheel following a pipe that
// is still open: the pipe is no longer watched, so the session stops,
// and the descriptor is closed unless KeepOpen was given.
func TestFollowTailHandleClose(t *testing.T) {
	cases := []struct {
		name     string
		keepOpen bool
	}{
		{"the handle is closed with the wheel", false},
		{"KeepOpen leaves the handle open", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFds(t)
			pr, pw := pipe(t)
			defer unix.Close(pw)
			var w *wheel.FollowTail
			var got []string
			run(t, kernel.States{
				"_start": func(e *kernel.Event) any {
					var err error
					w, err = wheel.NewFollowTail(e, wheel.FollowTailOptions{Handle: pr, KeepOpen: c.keepOpen,
						InputEvent: "in", ErrorEvent: "err"})
					if err != nil {
						t.Fatal(err)
					}
					writeAll(t, pw, []byte("x\n"))
					return nil
				},
				"in":  func(e *kernel.Event) any { got = append(got, e.ArgString(0)); w.Close(); return nil },
				"err": func(e *kernel.Event) any { t.Errorf("ErrorEvent %v", e.Args); w.Close(); return nil },
			})
			if !reflect.DeepEqual(got, []string{"x"}) {
				t.Errorf("records %q, want x", got)
			}
			_, err := unix.FcntlInt(uintptr(pr), unix.F_GETFD, 0)
			if c.keepOpen {
				if err != nil {
					t.Errorf("the handle was closed: %v", err)
				}
				unix.Close(pr)
			} else if err == nil {
				t.Error("the handle is still open")
				unix.Close(pr)
			}
		})
	}
}

// TestFollowTailFilterError checks that a record the filter refuses (a
// line over MaxLength) is reported to ErrorEvent as ("read", EBADMSG,
// the filter's text, ID) and the records around it still arrive.
func TestFollowTailFilterError(t *testing.T) {
	checkFds(t)
	name := filepath.Join(t.TempDir(), "log")
	writeFile(t, name, "")
	var w *wheel.FollowTail
	var got []string
	run(t, kernel.States{
		"_start": func(e *kernel.Event) any {
			w, _ = wheel.NewFollowTail(e, wheel.FollowTailOptions{Filename: name, PollInterval: tick,
				Filter: filter.NewLine(filter.LineOptions{MaxLength: 8}), InputEvent: "in", ErrorEvent: "err"})
			appendFile(t, name, "short\nmuch too long\nlast\n")
			return nil
		},
		"in": func(e *kernel.Event) any {
			got = append(got, e.ArgString(0))
			if e.ArgString(0) == "last" {
				w.Close()
			}
			return nil
		},
		"err": func(e *kernel.Event) any {
			if e.ArgString(0) != "read" || e.ArgInt(1) != int(syscall.EBADMSG) || e.ArgString(2) == "" || e.Arg(3) != w.ID() {
				t.Errorf("ErrorEvent %v", e.Args)
			}
			if !errors.Is(w.LastError(), filter.ErrLineLength) {
				t.Errorf("LastError %v, want ErrLineLength", w.LastError())
			}
			got = append(got, "error")
			return nil
		},
	})
	if want := []string{"short", "error", "last"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
