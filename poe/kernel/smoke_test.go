package kernel

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSmokeOrder(t *testing.T) {
	k := MustNew()
	defer k.Close()
	var log []string
	add := func(s string) { log = append(log, s) }
	k.Create(Session{States: States{
		"_start": func(e *Event) any {
			add("start")
			e.Kernel.Yield("y1")
			e.Kernel.Delay("ev", 0)
			e.Kernel.AlarmAdd("ev", time.Now().Add(-10*time.Second))
			e.Kernel.Yield("y2")
			e.Kernel.Post(e.Session, "p3")
			e.Kernel.Create(Session{States: States{
				"_start": func(e *Event) any { add("child start"); return "cret" },
				"_stop":  func(e *Event) any { add("child stop"); return "sret" },
			}})
			return nil
		},
		"y1": func(e *Event) any { add("y1"); return nil },
		"y2": func(e *Event) any { add("y2"); return nil },
		"p3": func(e *Event) any {
			add("p3")
			v, err := e.Kernel.Call(e.Session, "c", 20)
			add(fmt.Sprint("call=", v, err))
			return nil
		},
		"c":  func(e *Event) any { return e.ArgInt(0) + 1 },
		"ev": func(e *Event) any { add("ev"); return nil },
		"_child": func(e *Event) any {
			add(fmt.Sprint("child ", e.Arg(0), " ", e.Arg(2)))
			return nil
		},
		"_stop": func(e *Event) any { add("stop"); return nil },
	}})
	if err := k.Run(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(log, ",")
	want := "start,child start,child create cret,ev,y1,ev,y2,p3,call=21 <nil>,child stop,child lose sret,stop"
	if got != want {
		t.Fatalf("\ngot  %s\nwant %s", got, want)
	}
}

// Events with more arguments than a queue slot holds inline go through the
// ring and arrive whole (IKC monitor events carry six).
func TestManyArgumentsThroughTheQueue(t *testing.T) {
	k := MustNew()
	defer k.Close()
	var got []any
	k.Create(Session{States: States{
		"_start": func(e *Event) any {
			e.Kernel.Yield("many", 1, 2, 3, 4, 5, 6, 7)
			e.Kernel.Post(e.Session, "many", "a", "b", "c", "d", "e")
			return nil
		},
		"many": func(e *Event) any { got = append(got, e.Args...); return nil },
	}})
	if err := k.Run(); err != nil {
		t.Fatal(err)
	}
	if want := "[1 2 3 4 5 6 7 a b c d e]"; fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// A _start run by Create before Run posts as its own session: the handler
// claims the loop for its duration, so SENDER is the session, as in POE.
func TestSenderOfPostFromStartBeforeRun(t *testing.T) {
	k := MustNew()
	defer k.Close()
	var sender *Session
	var poster *Session
	k.Create(Session{States: States{
		"_start": func(e *Event) any { e.Kernel.AliasSet("target"); return nil },
		"hello":  func(e *Event) any { sender = e.Sender; e.Kernel.AliasRemove("target"); return nil },
	}})
	poster = k.Create(Session{States: States{
		"_start": func(e *Event) any { e.Kernel.Post("target", "hello"); return nil },
	}})
	k.Run()
	if sender != poster {
		t.Fatalf("sender %v, want %v", sender, poster)
	}
}
