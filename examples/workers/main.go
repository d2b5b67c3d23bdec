// Command workers is a worker pool fed over IKC. A kernel named Pool
// publishes a session "pool" whose "work" state takes [n, rsvp], the shape
// of ClientLite's post_respond: the job (count the primes below n) goes to
// a fixed set of worker goroutines, so the loop never blocks, and the
// worker's result is posted back into the kernel, which sends it to the
// rsvp with IKC's post. That lets the pool answer when the work is done,
// which the return value of a call handler cannot. The program then starts
// --clients ClientLite clients, each asking --jobs questions at once from
// its own goroutine, checks every answer and stops; with --serve it only
// serves.
//
//	go run ./examples/workers -workers 4 -clients 3 -jobs 5
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/poe-go/poe/component/ikc/clientlite"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// job is one request: count the primes below n and post the count to
// rsvp, a specifier as the client sent it (a string or a hash).
type job struct {
	n    int
	rsvp any
}

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1; 0 picks a free one")
	workers := flag.Int("workers", 4, "worker goroutines")
	clients := flag.Int("clients", 3, "ClientLite clients to start (0 with -serve)")
	jobs := flag.Int("jobs", 5, "jobs per client")
	serveOnly := flag.Bool("serve", false, "only serve: wait for clients until interrupted")
	flag.Parse()
	log.SetFlags(0)

	k := kernel.MustNew(kernel.WithName("Pool"))
	defer k.Close()
	p, err := server.Spawn(k, server.Options{Port: *port, Name: "Pool"})
	if err != nil {
		log.Fatalf("workers: %v", err)
	}
	fmt.Printf("workers: pool of %d listening on 127.0.0.1:%d\n", *workers, p)

	queue := make(chan job)
	var wg sync.WaitGroup
	for w := range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				// Post is the one door into a kernel from another goroutine.
				k.Post("pool", "done", j.rsvp, int64(primesBelow(j.n)), w)
			}
		}()
	}
	served := 0
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("pool")
			e.Kernel.Post("IKC", "publish", "pool", []string{"work"})
			e.Kernel.Post("IKC", "monitor", "*", map[string]string{"error": "error"})
			e.Kernel.Sig("INT", "stop")
			return nil
		},
		// work is posted by a client: ARG0 is [n, rsvp]. The send blocks
		// only while every worker is busy: a real pool would keep a queue.
		"work": func(e *kernel.Event) any {
			req, _ := e.Arg(0).([]any)
			if len(req) != 2 {
				return nil
			}
			queue <- job{n: asInt(req[0]), rsvp: req[1]}
			return nil
		},
		"done": func(e *kernel.Event) any {
			served++
			e.Kernel.Post("IKC", "post", e.Arg(0), e.Arg(1))
			return nil
		},
		// error is the IKC monitor's: a client closing its connection
		// (channel-read with errno 0) is how every client leaves.
		"error": func(e *kernel.Event) any {
			if e.ArgString(4) != "channel-read" || !strings.HasPrefix(e.ArgString(5), "[0]") {
				fmt.Fprintf(os.Stderr, "workers: %s: %s\n", e.ArgString(4), e.ArgString(5))
			}
			return nil
		},
		"stop": func(e *kernel.Event) any {
			e.Kernel.SigHandled()
			e.Kernel.Sig("INT", "")
			e.Kernel.AliasRemove("pool")
			e.Kernel.Post("IKC", "shutdown")
			return nil
		},
	}})
	if !*serveOnly {
		go func() {
			failures := runClients(p, *clients, *jobs)
			fmt.Printf("workers: %d clients, %d answers, %d wrong\n", *clients, *clients**jobs, failures)
			k.Post("pool", "stop")
			if failures > 0 {
				os.Exit(1)
			}
		}()
	}
	if err := k.Run(); err != nil {
		log.Fatal(err)
	}
	close(queue)
	wg.Wait()
	fmt.Printf("workers: served %d jobs\n", served)
}

// runClients starts n ClientLite clients that each ask jobs questions and
// check the answers; it returns how many were wrong or failed.
func runClients(port, n, jobs int) int {
	var mu sync.Mutex
	wrong := 0
	var wg sync.WaitGroup
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cl, err := clientlite.Connect(ctx, clientlite.Options{
				Addr: "127.0.0.1", Port: port, Name: fmt.Sprintf("Asker%d", c), Timeout: 10 * time.Second,
			})
			if err != nil {
				log.Printf("workers: client %d: %v", c, err)
				mu.Lock()
				wrong += jobs
				mu.Unlock()
				return
			}
			defer cl.Disconnect()
			for j := range jobs {
				nn := 20_000 + 10_000*(c*jobs+j)
				got, err := cl.PostRespond("pool/work", int64(nn))
				if err != nil || asInt(got) != primesBelow(nn) {
					log.Printf("workers: client %d: primes below %d: got %v, %v", c, nn, got, err)
					mu.Lock()
					wrong++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return wrong
}

// primesBelow counts the primes below n with a sieve: the work.
func primesBelow(n int) int {
	if n < 3 {
		return 0
	}
	composite := make([]bool, n)
	count := 0
	for i := 2; i < n; i++ {
		if composite[i] {
			continue
		}
		count++
		for j := i * i; j < n; j += i {
			composite[j] = true
		}
	}
	return count
}

// asInt reads an integer as the serializer thawed it.
func asInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case int32:
		return int(x)
	case uint64:
		return int(x)
	case float64:
		return int(x)
	}
	return -1
}
