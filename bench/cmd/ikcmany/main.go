// Command ikcmany is workload 5, many IKC connections, in two processes.
//
//	ikcmany -serve
//
// runs the server kernel: an IKC server on 127.0.0.1 (port chosen by the
// system, printed as "LISTEN <port>") whose session "bench" publishes "hit"
// (one-way posts, counted) and "stats" (the count, the time of the last
// hit, and the server's live heap and resident size after a collection).
//
//	ikcmany -addr 127.0.0.1:PORT [-idle 10000] [-burst 1000] [-posts 10]
//
// is the load: it opens -idle IKC connections (blocking ClientLite
// clients, each its own kernel name, negotiating the Go serializer), asks
// the server for its memory before and after, then makes -burst of them
// post -posts one-way events each, all at once, and times them until the
// server has counted every one. It prints
//
//	RESULT idle=N rss_one_conn=B private_one_conn=B heap_per_conn=B rss_per_conn=B burst=M posts=P posts_per_sec=R burst_ms=T
//
// where rss_one_conn is the server's resident size while its one
// connection is the load's control client, an idle kernel with one
// connection, and private_one_conn the part of it that is not pages of
// files (the binary's code, which the system shares and can drop).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/poe-go/poe/component/ikc/clientlite"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

func main() {
	serve := flag.Bool("serve", false, "run the server kernel")
	addr := flag.String("addr", "", "server `host:port` (load)")
	idle := flag.Int("idle", 10000, "idle connections to open")
	burst := flag.Int("burst", 1000, "connections that post at once")
	posts := flag.Int("posts", 10, "one-way posts per bursting connection")
	limit := flag.Duration("limit", 120*time.Second, "bound on the whole load run")
	flag.Parse()
	var err error
	if *serve {
		err = runServer()
	} else if *addr != "" && *idle > 0 && *burst > 0 && *burst <= *idle && *posts > 0 {
		err = runLoad(*addr, *idle, *burst, *posts, *limit)
	} else {
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ikcmany:", err)
		os.Exit(1)
	}
}

func runServer() error {
	k, err := kernel.New(kernel.WithName("Server"))
	if err != nil {
		return err
	}
	defer k.Close()
	responder.Spawn(k)
	var hits, lastHit int64
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("bench")
			e.Kernel.Post("IKC", "publish", "bench", []string{"hit", "stats"})
			return nil
		},
		"hit": func(e *kernel.Event) any {
			hits++
			lastHit = time.Now().UnixNano()
			return nil
		},
		"stats": func(e *kernel.Event) any {
			heap, rss, private := memory()
			return []any{hits, lastHit, int64(heap), int64(rss), int64(private)}
		},
	}})
	port, err := server.Spawn(k, server.Options{Port: 0, Name: "Server"})
	if err != nil {
		return err
	}
	fmt.Printf("LISTEN %d\n", port)
	os.Stdout.Sync()
	return k.Run()
}

// memory returns the live heap after a full collection, the resident set
// size, and the part of it that is the process's own rather than pages of
// files such as the program's binary (both 0 where /proc is not there).
func memory() (heap, rss, private uint64) {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 2 {
			pages, _ := strconv.ParseUint(f[1], 10, 64)
			shared, _ := strconv.ParseUint(f[2], 10, 64)
			rss = pages * uint64(os.Getpagesize())
			private = (pages - min(shared, pages)) * uint64(os.Getpagesize())
		}
	}
	return m.HeapAlloc, rss, private
}

type stats struct{ hits, lastHit, heap, rss, private int64 }

func getStats(c *clientlite.Client) (stats, error) {
	v, err := c.Call("bench/stats", nil)
	if err != nil {
		return stats{}, err
	}
	var n [5]int64 // the fields of stats, in order
	l, ok := v.([]any)
	if !ok || len(l) != len(n) {
		return stats{}, fmt.Errorf("stats: unexpected answer %v", v)
	}
	for i, x := range l {
		switch x := x.(type) {
		case int64:
			n[i] = x
		case int:
			n[i] = int64(x)
		case uint64:
			n[i] = int64(x)
		case float64:
			n[i] = int64(x)
		default:
			return stats{}, fmt.Errorf("stats: unexpected %T", x)
		}
	}
	return stats{n[0], n[1], n[2], n[3], n[4]}, nil
}

func runLoad(addr string, idle, burst, posts int, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	opts := func(name string) clientlite.Options {
		return clientlite.Options{
			Addr: addr, Name: name, Serializer: msgpack.Name,
			Timeout: 30 * time.Second, ConnectTimeout: 30 * time.Second,
		}
	}
	ctl, err := clientlite.Connect(ctx, opts(fmt.Sprintf("ctl%d", os.Getpid())))
	if err != nil {
		return err
	}
	defer ctl.Disconnect()
	before, err := getStats(ctl)
	if err != nil {
		return err
	}

	clients, err := connectMany(ctx, idle, func(i int) clientlite.Options {
		return opts(fmt.Sprintf("idle%d-%d", os.Getpid(), i))
	})
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Disconnect()
			}
		}
	}()
	if err != nil {
		return err
	}
	after, err := getStats(ctl)
	if err != nil {
		return err
	}
	heapPer := float64(after.heap-before.heap) / float64(idle)
	rssPer := float64(after.rss-before.rss) / float64(idle)

	// The burst: every goroutine waits on start, then posts.
	want := after.hits + int64(burst*posts)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Value
	for i := 0; i < burst; i++ {
		wg.Add(1)
		go func(c *clientlite.Client) {
			defer wg.Done()
			<-start
			for j := 0; j < posts; j++ {
				if err := c.Post("bench/hit", int64(j)); err != nil {
					failed.Store(err)
					return
				}
			}
		}(clients[i*idle/burst])
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return err
	}
	var end stats
	for {
		if end, err = getStats(ctl); err != nil {
			return err
		}
		if end.hits >= want {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("the server counted %d posts of %d", end.hits-after.hits, burst*posts)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Duration(end.lastHit - t0.UnixNano())
	if elapsed <= 0 {
		return errors.New("clock went backwards")
	}
	fmt.Printf("RESULT idle=%d rss_one_conn=%d private_one_conn=%d heap_per_conn=%.0f rss_per_conn=%.0f burst=%d posts=%d posts_per_sec=%.1f burst_ms=%.2f\n",
		idle, before.rss, before.private, heapPer, rssPer, burst, burst*posts,
		float64(burst*posts)/elapsed.Seconds(), float64(elapsed)/float64(time.Millisecond))
	return nil
}

// connectMany opens n clients, a few dozen negotiations at a time.
func connectMany(ctx context.Context, n int, opts func(int) clientlite.Options) ([]*clientlite.Client, error) {
	clients := make([]*clientlite.Client, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				c, err := clientlite.Connect(ctx, opts(i))
				if err != nil {
					errs <- fmt.Errorf("connection %d: %w", i, err)
					return
				}
				clients[i] = c
			}
		}()
	}
	wg.Wait()
	close(errs)
	return clients, <-errs
}
