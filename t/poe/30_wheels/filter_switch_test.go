package wheels_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// switchRig is a ReadWrite on one end of a socketpair whose other end, the
// peer, a test writes to. Its InputEvent handler logs each record as
// `in "record"` and calls the test's function; the peer is closed once the
// record named last arrives, and end of input closes the wheel.
type switchRig struct {
	t     *testing.T
	e     *kernel.Event // the event being handled
	w     *wheel.ReadWrite
	peer  int
	trace []string
	reply string // what the peer read when the wheel flushed
}

func (r *switchRig) log(format string, args ...any) {
	r.trace = append(r.trace, fmt.Sprintf(format, args...))
}

func (r *switchRig) send(s string) { writeAll(r.t, r.peer, []byte(s)) }

// runSwitch runs the rig until the wheel is closed and returns it. first
// is written before the wheel exists; extra, if not nil, gives states to
// add to the session's.
func runSwitch(t *testing.T, f filter.Filter, first, last string, in func(r *switchRig, rec string), extra func(r *switchRig) kernel.States) *switchRig {
	t.Helper()
	checkFds(t)
	a, b := socketpair(t)
	r := &switchRig{t: t, peer: b}
	closePeer := func() {
		if r.peer >= 0 {
			unix.Close(r.peer)
			r.peer = -1
		}
	}
	defer closePeer()
	writeAll(t, b, []byte(first))
	states := kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			r.w, err = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, Filter: f, InputEvent: "in", ErrorEvent: "err", FlushedEvent: "flushed"})
			if err != nil {
				t.Fatal(err)
			}
			return nil
		},
		"in": func(e *kernel.Event) any {
			rec := fmt.Sprintf("%q", e.Arg(0))
			r.log("in %s", rec)
			r.e = e
			if in != nil {
				in(r, rec)
			}
			if rec == last {
				closePeer()
			}
			return nil
		},
		"err": func(e *kernel.Event) any {
			if e.ArgInt(1) == 0 {
				r.w.Close()
				return nil
			}
			r.log("err %s %v", e.ArgString(0), syscall.Errno(e.ArgInt(1)))
			return nil
		},
		"flushed": func(e *kernel.Event) any { r.reply = readNow(t, r.peer); return nil },
	}
	if extra != nil {
		for name, h := range extra(r) {
			states[name] = h
		}
	}
	run(t, states)
	return r
}

func lineLF() filter.Filter { return filter.NewLine(filter.LineOptions{Literal: "\n"}) }

// TestReadWriteSwitchInInputEvent mirrors the filter changes of POE's
// t/30_loops wheel_readwrite and 99_filterchange.t, through a wheel: a
// handler of InputEvent that calls SetFilter has the rest of the read,
// which the old filter holds, parsed by the new one and delivered before
// SetFilter returns (POE's _transfer_input_buffer), and the rest of the
// stream follows on the new filter. Each sequence was taken from Perl POE
// 1.370, running the same handlers on a POE::Wheel::ReadWrite, except
// where a case says otherwise.
func TestReadWriteSwitchInInputEvent(t *testing.T) {
	cases := []struct {
		name        string
		f           filter.Filter
		first, last string
		in          func(r *switchRig, rec string)
		want        []string
	}{
		{
			"a Line handler switching to Block hands the rest of the read to Block",
			lineLF(), "hello\n5\x00world3\x00abc2\x00x", `"xy"`,
			func(r *switchRig, rec string) {
				if rec == `"hello"` {
					r.log("switch")
					r.w.SetFilter(filter.NewBlock())
					r.log("switched")
					r.send("y") // completes the partial block the switch carried over
				}
			},
			[]string{`in "hello"`, "switch", `in "world"`, `in "abc"`, "switched", `in "xy"`},
		},
		{
			"a switch in every handler, between the records of one read, nests",
			lineLF(), "a\nb|c\nd|e\n", `"e"`,
			func(r *switchRig, rec string) {
				lit := "\n"
				if rec == `"a"` || rec == `"c"` {
					lit = "|"
				}
				r.log("switch to %q", lit)
				r.w.SetFilter(filter.NewLine(filter.LineOptions{Literal: lit}))
				r.log("back after %s", rec)
			},
			[]string{`in "a"`, `switch to "|"`, `in "b"`, `switch to "\n"`, `in "c"`, `switch to "|"`, `in "d"`, `switch to "\n"`,
				`in "e"`, `switch to "\n"`, `back after "e"`, `back after "d"`, `back after "c"`, `back after "b"`, `back after "a"`},
		},
		{
			// POE 1.370 delivers "ONE", "SWITCH", "ial": its Stackable's
			// get_pending reports only the top filter's (the Map's) pending
			// records, none, and the partial line is lost.
			"switching away from a Stackable hands on the partial line it holds, which POE loses",
			filter.NewStackable(lineLF(), filter.NewMap(filter.MapOptions{Code: func(r any) []any { return []any{strings.ToUpper(r.(string))} }})),
			"one\nSWITCH\npart", `"ial"`,
			func(r *switchRig, rec string) {
				if rec == `"SWITCH"` {
					r.w.SetFilter(filter.NewStream())
					r.send("ial")
				}
			},
			[]string{`in "ONE"`, `in "SWITCH"`, `in "part"`, `in "ial"`},
		},
		{
			"an autodetecting Line takes a CR LF split between two reads as CR LF",
			filter.NewLine(filter.LineOptions{Autodetect: true}), "a\r", `"c\nd"`,
			func(r *switchRig, rec string) {
				if rec == `"a"` {
					r.send("\nb\r\nc\nd\r\n")
				}
			},
			[]string{`in "a"`, `in "b"`, `in "c\nd"`},
		},
		{
			"an autodetecting Line takes an LF CR split between two reads as LF CR",
			filter.NewLine(filter.LineOptions{Autodetect: true}), "a\n", `"c\rd"`,
			func(r *switchRig, rec string) {
				if rec == `"a"` {
					r.send("\rb\n\rc\rd\n\r")
				}
			},
			[]string{`in "a"`, `in "b"`, `in "c\rd"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runSwitch(t, c.f, c.first, c.last, c.in, nil).trace
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("trace\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

// TestReadWriteSetInputFilterBuffered holds set_input_filter called from
// another event while the input filter holds data already read: the data
// is parsed by the new filter and its records delivered before
// SetInputFilter returns, and the output filter is left as it was. The
// sequence was taken from Perl POE 1.370 (in "hdr", switch, in "hello",
// in "xy", switched, in "z"). With InputEvent switched off, the records
// wait in the new filter for the next InputEvent instead.
func TestReadWriteSetInputFilterBuffered(t *testing.T) {
	const first = "hdr\r\n5\x00hello2\x00xy1\x00"
	cases := []struct {
		name string
		// off switches InputEvent off before the switch and back on after.
		off  bool
		want []string
	}{
		{"records already read are delivered by SetInputFilter", false,
			[]string{`in "hdr"`, "switch", `in "hello"`, `in "xy"`, "switched", `in "z"`}},
		{"with InputEvent off they wait for the next InputEvent", true,
			[]string{`in "hdr"`, "switch", "switched", "on", `in "hello"`, `in "xy"`, "back on", `in "z"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filter.NewLine()
			r := runSwitch(t, nil, first, `"z"`, func(r *switchRig, rec string) {
				switch rec {
				case `"hdr"`:
					if c.off {
						r.w.Event("InputEvent", "")
					}
					r.e.Kernel.Yield("switch")
				case `"xy"`:
					r.w.Put("reply")
					r.send("z")
				}
			}, func(r *switchRig) kernel.States {
				return kernel.States{"switch": func(e *kernel.Event) any {
					r.log("switch")
					r.w.SetOutputFilter(out)
					r.w.SetInputFilter(filter.NewBlock())
					r.log("switched")
					if c.off {
						r.log("on")
						r.w.Event("InputEvent", "in")
						r.log("back on")
					}
					if r.w.GetOutputFilter() != filter.Filter(out) {
						t.Error("SetInputFilter changed the output filter")
					}
					return nil
				}}
			})
			if !reflect.DeepEqual(r.trace, c.want) {
				t.Errorf("trace %q, want %q", r.trace, c.want)
			}
			if r.reply != `"reply\r\n"` {
				t.Errorf("the peer read %s, want the reply through the Line output filter", r.reply)
			}
		})
	}
}

// stuck is a filter that fails on every GetOne and never consumes its
// input: it makes no progress. After giveUp calls it reports no record,
// so that a wheel that did not give up first ends instead of spinning.
type stuck struct {
	in    []byte
	calls int
}

const giveUp = 1000

func (s *stuck) GetOneStart(data []byte) { s.in = append(s.in, data...) }
func (s *stuck) GetOne() (any, bool, error) {
	if s.calls++; s.calls > giveUp {
		return nil, false, nil
	}
	return nil, false, errors.New("stuck")
}
func (s *stuck) Get([]byte) ([]any, error)                { return nil, errors.New("stuck") }
func (s *stuck) Put(dst []byte, _ ...any) ([]byte, error) { return dst, nil }
func (s *stuck) GetPending() []byte                       { return s.in }
func (s *stuck) Clone() filter.Filter                     { return &stuck{} }

// TestReadWriteSwitchFilterErrors holds what a filter switched to does
// with the data it is handed when that data is bad: each fault is an
// ErrorEvent ("read", EBADMSG) delivered in order with the records, the
// records after it still arrive, and a filter that fails without
// consuming anything cannot hold SetFilter in a loop. (POE's filters die
// inside set_filter instead; these are the Go port's own rules.)
func TestReadWriteSwitchFilterErrors(t *testing.T) {
	frame, err := filter.NewReference(filter.ReferenceOptions{}).Put([]byte("junk"), "a")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a bad prefix in the data handed over is an error, then the frame after it comes", func(t *testing.T) {
		got := runSwitch(t, nil, "go\r\n"+string(frame), `"a"`, func(r *switchRig, rec string) {
			if rec == `"go"` {
				r.w.SetFilter(filter.NewReference(filter.ReferenceOptions{}))
				r.log("switched")
			}
		}, nil).trace
		want := []string{`in "go"`, "err read bad message", `in "a"`, "switched"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("trace %q, want %q", got, want)
		}
	})
	t.Run("a filter that fails for ever is given up on and SetFilter returns", func(t *testing.T) {
		got := runSwitch(t, nil, "go\r\nrest", "", func(r *switchRig, rec string) {
			if rec == `"go"` {
				r.w.SetFilter(&stuck{})
				r.log("switched")
				unix.Close(r.peer)
				r.peer = -1
			}
		}, nil).trace
		faults, switched := 0, false
		for _, l := range got {
			switch l {
			case "err read bad message":
				faults++
			case "switched":
				switched = true
			}
		}
		// SetFilter gives up after 65 faults, and so does the read that
		// delivered "go" once its handler returns.
		if faults == 0 || faults > 130 || faults >= giveUp || !switched {
			t.Errorf("%d faults, switched: %v; want a bounded number, and SetFilter to return", faults, switched)
		}
	})
}
