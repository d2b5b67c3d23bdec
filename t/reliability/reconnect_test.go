package reliability

import (
	"errors"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
)

func named(kind, name string) func(ev) bool {
	return func(e ev) bool { return e.kind == kind && e.name == name }
}

// TestServerRestartUnderReconnectingClient: the server goes away with a
// call in flight and comes back on the same port; the call fails with a
// *CallError at once, the reconnecting client connects again, resubscribes,
// and its monitors see unregister then register.
func TestServerRestartUnderReconnectingClient(t *testing.T) {
	s := startServer(t, server.Options{}, nil)
	port := s.port
	c := startClient(t, client.Options{Port: port, Subscribe: []string{"poe://Srv/echo"},
		Reconnect: &client.Backoff{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond}})
	if !c.connected(t, 5*time.Second) {
		t.Fatalf("not connected: %v", c.ev.list)
	}
	if v := c.call(t, "poe://Srv/echo/echo", "one", 0); v != "one" {
		t.Fatalf("answer %v", v)
	}

	// A call that will never be answered, then the server stops.
	c.k.Post("caller", "call", "poe://Srv/echo/nothing", 1)
	if v := c.call(t, "poe://Srv/echo/echo", "sync", 0); v != "sync" { // the first call has run there
		t.Fatalf("answer %v", v)
	}
	mark := c.ev.mark()
	s.stop(t)
	if _, err := c.ev.wait(mark, 5*time.Second, named("unregister", "Srv")); err != nil {
		t.Fatalf("no unregister: %v", c.ev.list[mark:])
	}
	select {
	case a := <-c.answers:
		var ce *responder.CallError
		if err, _ := a.(error); !errors.As(err, &ce) || !errors.Is(err, responder.ErrCallClosed) {
			t.Fatalf("in-flight call got %#v", a)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the in-flight call got nothing")
	}

	// Let a few attempts fail, then bring the server back on the port.
	if _, err := c.ev.wait(mark, 5*time.Second, isError("connect", "")); err != nil {
		t.Fatalf("no failed attempt reported: %v", c.ev.list[mark:])
	}
	start := time.Now()
	startServer(t, server.Options{Port: port}, nil)
	if !c.connected(t, 5*time.Second) {
		t.Fatalf("did not reconnect: %v", c.ev.list[mark:])
	}
	t.Logf("reconnected %v after the server came back", time.Since(start))
	if _, err := c.ev.wait(mark, 5*time.Second, named("register", "Srv")); err != nil {
		t.Fatalf("no register: %v", c.ev.list[mark:])
	}
	if v := c.call(t, "poe://Srv/echo/echo", "two", 0); v != "two" {
		t.Fatalf("answer after reconnecting %v", v)
	}
}
