package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

// ikcBatch is how many one-way posts the sender makes per dispatch, so
// that its kernel flushes and reads between batches as a busy program's
// would.
const ikcBatch = 256

// benchIKCPosts is workload 4, one-way posts: a client kernel posts n
// events to a state published by a server kernel over loopback; the time is
// taken from the first post until the receiver has counted the last.
func benchIKCPosts(n int, tick func(float64)) (benchResult, error) {
	var start time.Time
	var elapsed time.Duration
	progress := every(n, tick)
	got := 0
	sink := kernel.States{
		"count": func(e *kernel.Event) any {
			got++
			progress(got)
			if got == n {
				elapsed = time.Since(start)
				e.Kernel.Yield("stop")
			}
			return nil
		},
	}
	sent := 0
	sender := kernel.States{
		"go": func(e *kernel.Event) any {
			if sent == 0 {
				start = time.Now()
			}
			r := responder.Get(e.Kernel)
			for i := 0; i < ikcBatch && sent < n; i++ {
				if _, err := r.Post("poe://BenchServer/sink/count", int64(sent)); err != nil {
					panic(err)
				}
				sent++
			}
			if sent < n {
				e.Kernel.Yield("go")
			}
			return nil
		},
	}
	err := ikcPair(sink, sender)
	return benchResult{Elapsed: elapsed}, err
}

// callPayload is what each sequential call carries and its answer brings
// back: 16 octets, as bench/perl/ikc_client.pl's calls do.
const callPayload = "xxxxxxxxxxxxxxxx"

// benchIKCCalls is workload 4, sequential calls: the client calls a
// published echo state with an RSVP and waits for the answer before the
// next call; latencies give p50 and p99. The answer must be the payload.
func benchIKCCalls(n int, tick func(float64)) (benchResult, error) {
	var start, t0 time.Time
	var elapsed time.Duration
	var wrong error
	lat := make([]time.Duration, 0, n)
	progress := every(n, tick)
	sink := kernel.States{
		"echo": func(e *kernel.Event) any { return e.Arg(0) },
	}
	sender := kernel.States{
		"go": func(e *kernel.Event) any {
			start = time.Now()
			e.Kernel.Yield("next")
			return nil
		},
		"next": func(e *kernel.Event) any {
			t0 = time.Now()
			return responder.Get(e.Kernel).Call("poe://BenchServer/sink/echo", callPayload, "poe:answer")
		},
		"answer": func(e *kernel.Event) any {
			lat = append(lat, time.Since(t0))
			if got, _ := e.Arg(0).(string); got != callPayload && wrong == nil {
				wrong = fmt.Errorf("call %d: echo answered %#v, not the payload sent", len(lat), e.Arg(0))
			}
			progress(len(lat))
			if len(lat) < n && wrong == nil {
				e.Kernel.Yield("next")
				return nil
			}
			elapsed = time.Since(start)
			e.Kernel.Post("BenchServer sink", "stop")
			e.Kernel.Yield("stop")
			return nil
		},
	}
	err := ikcPair(sink, sender)
	if err == nil {
		err = wrong
	}
	p50, p99 := percentiles(lat)
	return benchResult{Elapsed: elapsed, P50: p50, P99: p99}, err
}

// dropEOF passes on the responder's warnings except the one about a peer
// that closed its connection.
type dropEOF struct{ w io.Writer }

func (d dropEOF) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("channel-read: [0] ")) {
		return len(p), nil
	}
	return d.w.Write(p)
}

// ikcPair runs two kernels over loopback: "BenchServer", whose session
// "sink" publishes sinkStates, and "BenchClient", whose session "sender"
// gets "go" once connected. Either side ends the run by yielding "stop"
// (the sink's stop also stops the sender).
func ikcPair(sinkStates, senderStates kernel.States) error {
	ks, err := kernel.New(kernel.WithName("BenchServer"), kernel.WithCatchPanics(false))
	if err != nil {
		return err
	}
	defer ks.Close()
	kc, err := kernel.New(kernel.WithName("BenchClient"), kernel.WithCatchPanics(false))
	if err != nil {
		return err
	}
	defer kc.Close()
	// A peer closing its end is how every run finishes: not worth a warning.
	quiet := responder.WithLogger(newLineLogger(dropEOF{os.Stderr}, "ikc bench: IKC: "))
	responder.Spawn(ks, quiet)
	responder.Spawn(kc, quiet)
	port, err := server.Spawn(ks, server.Options{Port: 0, Name: "BenchServer"})
	if err != nil {
		return err
	}
	stop := func(e *kernel.Event) any {
		e.Kernel.Post("IKC", "shutdown")
		for _, a := range e.Kernel.AliasList(nil) {
			e.Kernel.AliasRemove(a)
		}
		return nil
	}
	var published []string
	states := kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("sink")
			e.Kernel.Post("IKC", "publish", "sink", published)
			return nil
		},
		"stop": func(e *kernel.Event) any {
			kc.Post("sender", "stop") // the client kernel may still be connected
			return stop(e)
		},
	}
	for name, h := range sinkStates {
		states[name] = h
		published = append(published, name)
	}
	ks.Create(kernel.Session{States: states})

	var connectErr error
	cstates := kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("sender")
			e.Kernel.Post("IKC", "publish", "sender", []string{"answer"})
			_, err := client.Spawn(e.Kernel, client.Options{
				Port: port, Name: "BenchClient", ConnectTimeout: 5 * time.Second,
				OnConnect: func() { kc.Post("sender", "go") },
				OnError: func(op string, errno int, text string) {
					connectErr = fmt.Errorf("connect: %s: %s", op, text)
					kc.Post("sender", "stop")
					ks.Post("sink", "stop")
				},
			})
			connectErr = err
			return nil
		},
		"stop": stop,
	}
	for name, h := range senderStates {
		cstates[name] = h
	}
	kc.Create(kernel.Session{States: cstates})
	// "BenchServer sink" lets the sender stop the sink from its kernel.
	kc.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { return e.Kernel.AliasSet("BenchServer sink") },
		"stop": func(e *kernel.Event) any {
			ks.Post("sink", "stop")
			return e.Kernel.AliasRemove("BenchServer sink")
		},
	}})

	done := make(chan error, 2)
	go func() { done <- ks.Run() }()
	go func() { done <- kc.Run() }()
	var errs []error
	timeout := time.After(2 * time.Minute)
	for range 2 {
		select {
		case err := <-done:
			errs = append(errs, err)
		case <-timeout:
			return errors.New("the IKC kernels did not finish")
		}
	}
	errs = append(errs, connectErr)
	return errors.Join(errs...)
}
