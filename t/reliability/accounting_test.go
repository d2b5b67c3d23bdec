package reliability

import (
	"errors"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
)

// TestEveryMessageAccountedFor sends -posts numbered calls (10,000 by
// default; the figure is -posts 100000) in batches of 500 through a
// reconnecting client, and stops the server in the middle of a batch and
// starts it again. Every message must end either answered (delivered) or
// with a *CallError at its sender; the server must never see one twice.
func TestEveryMessageAccountedFor(t *testing.T) {
	const batch = 500
	total := *flagPosts
	stats := &echoStats{seen: map[int64]int{}}
	s := startServer(t, server.Options{}, stats)
	port := s.port
	c := startClient(t, client.Options{Port: port, Reconnect: &client.Backoff{Initial: 10 * time.Millisecond, Max: 100 * time.Millisecond}})
	if !c.connected(t, 5*time.Second) {
		t.Fatal("not connected")
	}
	delivered := map[int64]bool{}
	failed := 0
	stopAt := (total / batch / 2) * batch
	start := time.Now()
	for next := 0; next < total; {
		n := min(batch, total-next)
		mark := c.ev.mark()
		for i := 0; i < n; i++ {
			c.k.Post("caller", "call", "poe://Srv/echo/tally", int64(next+i))
		}
		if next == stopAt {
			s.stop(t) // mid-batch: some calls answered, some in flight
		}
		// A call sent while no server is connected is not tracked: its
		// sender's monitors get a resolve error for it instead.
		unsent := isError("resolve", "")
		tick := time.NewTicker(20 * time.Millisecond)
		deadline := time.After(20 * time.Second)
		for got := 0; got+c.ev.count(mark, unsent) < n; {
			select {
			case a := <-c.answers:
				got++
				switch v := a.(type) {
				case int64:
					if delivered[v] {
						t.Fatalf("message %d answered twice", v)
					}
					delivered[v] = true
				case error:
					if !errors.Is(v, responder.ErrCallClosed) {
						t.Fatalf("unexpected failure %v", v)
					}
					failed++
				default:
					t.Fatalf("unexpected answer %#v", a)
				}
			case <-tick.C:
			case <-deadline:
				t.Fatalf("outcomes missing: %d answers and %d resolve errors of %d", got, c.ev.count(mark, unsent), n)
			}
		}
		tick.Stop()
		failed += c.ev.count(mark, unsent)
		if next == stopAt {
			s = startServer(t, server.Options{Port: port}, stats)
			if !c.connected(t, 5*time.Second) {
				t.Fatal("did not reconnect")
			}
		}
		next += n
	}
	stats.mu.Lock()
	defer stats.mu.Unlock()
	for id, n := range stats.seen {
		if n > 1 {
			t.Errorf("message %d delivered %d times", id, n)
		}
	}
	if len(delivered)+failed != total {
		t.Errorf("%d delivered + %d failed != %d sent", len(delivered), failed, total)
	}
	for id := range delivered {
		if stats.seen[id] != 1 {
			t.Errorf("message %d answered but not seen by the server", id)
		}
	}
	t.Logf("%d messages in %v: %d delivered, %d failed at the sender (server restarted once)", total, time.Since(start), len(delivered), failed)
}
