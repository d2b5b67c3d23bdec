// This file mirrors IKC's t/30_local.t: a session calls
// poe://Inet/test/called where Inet is the local kernel's own IKC name,
// so the local kernel pseudo-channel delivers the call, synchronously,
// and the callback gets 4. It also checks posts, ping and errors through
// the same path.
package ikc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

// runLocal runs a kernel named Inet whose only IKC peer is itself (as a
// Server named Inet registers it) and returns what its sessions recorded.
func runLocal(t *testing.T, start func(e *kernel.Event, r *responder.Responder, log func(string, ...any))) []string {
	t.Helper()
	k := kernel.MustNew(kernel.WithName("Inet"))
	defer k.Close()
	var lines []string
	logf := func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("test")
			r := responder.Spawn(e.Kernel)
			r.RegisterLocal([]string{"Inet"})
			r.Publish("test", "called", "posted")
			start(e, r, logf)
			return nil
		},
		"called":   func(e *kernel.Event) any { return e.ArgInt(0) * 2 },
		"posted":   func(e *kernel.Event) any { logf("posted %v", e.Arg(0)); return nil },
		"callback": func(e *kernel.Event) any { logf("callback %v", e.Arg(0)); return nil },
		"error":    func(e *kernel.Event) any { logf("error %v %v %v", e.Arg(1), e.Arg(4), e.Arg(5)); return nil },
		"stop":     func(e *kernel.Event) any { e.Kernel.Post(responder.Alias, "shutdown"); return nil },
	}})
	runWithin(t, k, 5*time.Second)
	return lines
}

func TestLocalCallReachesTheOwnKernelSynchronously(t *testing.T) {
	lines := runLocal(t, func(e *kernel.Event, r *responder.Responder, logf func(string, ...any)) {
		if err := r.Call("poe://Inet/test/called", 2, "poe:callback"); err != nil {
			t.Errorf("Call: %v", err)
		}
		logf("call returned")
		e.Kernel.Call(responder.Alias, "call", "poe://Inet/test/called", 2, "poe:callback")
		e.Kernel.Yield("stop")
	})
	want := []string{"callback 4", "call returned", "callback 4"}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", lines, want)
	}
}

func TestLocalPostRunsBeforePostReturns(t *testing.T) {
	lines := runLocal(t, func(e *kernel.Event, r *responder.Responder, logf func(string, ...any)) {
		n, _ := e.Kernel.Call(responder.Alias, "post", "Inet/test/posted", "hi")
		logf("post returned %v", n)
		n, _ = e.Kernel.Call(responder.Alias, "post", fmt.Sprintf("poe://%s/test/posted", e.Kernel.ID()), "by ID")
		logf("post returned %v", n)
		e.Kernel.Yield("stop")
	})
	want := []string{"posted hi", "post returned 1", "posted by ID", "post returned 1"}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", lines, want)
	}
}

func TestLocalPingAndErrors(t *testing.T) {
	lines := runLocal(t, func(e *kernel.Event, r *responder.Responder, logf func(string, ...any)) {
		r.Call("poe://Inet/IKC/ping", "PING", "poe:callback")
		r.Monitor("Inet", map[string]string{"error": "error"}, nil)
		r.Post("poe://Inet/test/hidden", nil)
		e.Kernel.Yield("stop")
	})
	text := "Session 'test' has not published state 'hidden'.  Request poe://Inet/test/hidden sent by poe://"
	if len(lines) != 3 || lines[0] != "callback PONG" {
		t.Fatalf("got %q", lines)
	}
	for i, phase := range []string{"local-check", "remote-check"} {
		got := lines[i+1]
		prefix := "error Inet " + phase + " " + text
		if len(got) < len(prefix) || got[:len(prefix)] != prefix {
			t.Errorf("line %d: got %q, want prefix %q", i+1, got, prefix)
		}
	}
}
