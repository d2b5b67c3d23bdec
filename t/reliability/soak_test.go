package reliability

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/clientlite"
	"github.com/poe-go/poe/component/ikc/server"
)

// Growth bounds of the soak run, measured after it against before it.
const (
	soakGoroutines = 10
	soakFDs        = 10
	soakHeap       = 64 << 20
)

// TestSoak holds -conns ClientLite connections (1,000 by default) posting
// and calling one server for -soak (off when 0: go test -run Soak -soak 10m),
// then checks that goroutines, descriptors and heap are back within the
// bounds above.
func TestSoak(t *testing.T) {
	if *flagSoak <= 0 {
		t.Skip("soak run off; enable with -soak 10m")
	}
	s := startServer(t, server.Options{NegotiationTimeout: 5 * time.Second}, nil)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	g0, f0, h0 := runtime.NumGoroutine(), openFDs(), heap()
	stop := time.Now().Add(*flagSoak)
	var wg sync.WaitGroup
	var mu sync.Mutex
	calls, errs := 0, 0
	for i := 0; i < *flagConns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, err := clientlite.Connect(ctx, clientlite.Options{Addr: "127.0.0.1", Port: s.port, Name: "Soak" + strconv.Itoa(i), Timeout: 30 * time.Second})
			if err != nil {
				mu.Lock()
				errs++
				mu.Unlock()
				return
			}
			defer c.Disconnect()
			n, bad := 0, 0
			for j := int64(0); time.Now().Before(stop); j++ {
				if err := c.Post("echo/count", j); err != nil {
					bad++
				}
				if v, err := c.Call("echo/echo", j); err != nil || v != j {
					bad++
				}
				n++
			}
			mu.Lock()
			calls += n
			errs += bad
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	g1 := settleGoroutines(g0+soakGoroutines, 10*time.Second)
	f1 := settleFDs(f0+soakFDs, 10*time.Second)
	h1 := heap()
	t.Logf("%d connections for %v: %d calls and posts each, %d errors; goroutines %d -> %d, fds %d -> %d, heap %d -> %d KiB",
		*flagConns, *flagSoak, calls, errs, g0, g1, f0, f1, h0>>10, h1>>10)
	if errs > 0 {
		t.Errorf("%d errors", errs)
	}
	if g1 > g0+soakGoroutines || f1 > f0+soakFDs || h1 > h0+soakHeap {
		t.Errorf("growth beyond bounds: goroutines %d -> %d, fds %d -> %d, heap %d -> %d", g0, g1, f0, f1, h0, h1)
	}
}

func settleGoroutines(want int, d time.Duration) int {
	deadline := time.Now().Add(d)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}
