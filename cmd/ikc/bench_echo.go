package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// echoServer runs workload 3's server on its own kernel: a SocketFactory
// on 127.0.0.1 and, per connection, a session whose ReadWrite and
// Filter::Line put back every line. It returns the port and a function that
// stops the kernel and waits for it.
func echoServer() (int, func() error, error) {
	k, err := kernel.New(kernel.WithName("echo"))
	if err != nil {
		return 0, nil, err
	}
	var sf *wheel.SocketFactory
	var setup error
	port := 0
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("listener")
			sf, setup = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				BindAddress: "127.0.0.1", Reuse: true,
				SuccessEvent: "accepted", FailureEvent: "failed",
			})
			if setup != nil {
				return nil
			}
			addr, err := sf.GetSockName()
			if err != nil {
				setup = err
				return nil
			}
			port = addr.(*net.TCPAddr).Port
			return nil
		},
		"accepted": func(e *kernel.Event) any {
			fd := e.ArgInt(0)
			var rw *wheel.ReadWrite
			e.Kernel.Create(kernel.Session{States: kernel.States{
				"_start": func(e *kernel.Event) any {
					var err error
					rw, err = wheel.NewReadWrite(e, wheel.ReadWriteOptions{
						Handle: fd, Filter: filter.NewLine(filter.LineOptions{Literal: "\n"}),
						InputEvent: "line", ErrorEvent: "gone",
					})
					return err
				},
				"line": func(e *kernel.Event) any { rw.Put(e.Arg(0)); return nil },
				"gone": func(e *kernel.Event) any { rw.Close(); return nil },
			}})
			return nil
		},
		"failed": func(e *kernel.Event) any {
			setup = fmt.Errorf("%s: %s", e.ArgString(0), e.ArgString(2))
			sf.Close()
			return nil
		},
		"stop": func(e *kernel.Event) any {
			sf.Close()
			e.Kernel.AliasRemove("listener")
			return nil
		},
	}})
	if setup != nil || port == 0 {
		k.Close()
		return 0, nil, errors.Join(errors.New("echo server did not start"), setup)
	}
	done := make(chan error, 1)
	go func() { done <- k.Run() }()
	stop := func() error {
		k.Post("listener", "stop")
		select {
		case err := <-done:
			k.Close()
			return err
		case <-time.After(5 * time.Second):
			return errors.New("echo server did not stop")
		}
	}
	return port, stop, nil
}

// benchEchoSequential is workload 3, one line at a time: write a line,
// wait for it to come back, n times.
func benchEchoSequential(n int, tick func(float64)) (benchResult, error) {
	port, stop, err := echoServer()
	if err != nil {
		return benchResult{}, err
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		stop()
		return benchResult{}, err
	}
	conn.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(conn)
	msg := []byte("the quick brown fox jumps over the lazy dog\n")
	lat := make([]time.Duration, n)
	progress := every(n, tick)
	start := time.Now()
	for i := range n {
		t0 := time.Now()
		if _, err = conn.Write(msg); err != nil {
			break
		}
		if _, err = r.ReadSlice('\n'); err != nil {
			break
		}
		lat[i] = time.Since(t0)
		progress(i + 1)
	}
	elapsed := time.Since(start)
	conn.Close()
	if serr := stop(); err == nil {
		err = serr
	}
	p50, p99 := percentiles(lat)
	return benchResult{Elapsed: elapsed, P50: p50, P99: p99}, err
}

// benchEchoPipelined is workload 3, pipelined: a writer sends n lines
// without waiting while the reader counts them coming back.
func benchEchoPipelined(n int, tick func(float64)) (benchResult, error) {
	port, stop, err := echoServer()
	if err != nil {
		return benchResult{}, err
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		stop()
		return benchResult{}, err
	}
	conn.SetDeadline(time.Now().Add(time.Minute))
	msg := []byte("the quick brown fox jumps over the lazy dog\n")
	progress := every(n, tick)
	start := time.Now()
	werr := make(chan error, 1)
	go func() {
		w := bufio.NewWriterSize(conn, 64<<10)
		for range n {
			if _, err := w.Write(msg); err != nil {
				werr <- err
				return
			}
		}
		werr <- w.Flush()
	}()
	r := bufio.NewReaderSize(conn, 64<<10)
	for i := range n {
		if _, err = r.ReadSlice('\n'); err != nil {
			break
		}
		progress(i + 1)
	}
	elapsed := time.Since(start)
	conn.Close()
	if e := <-werr; err == nil {
		err = e
	}
	if serr := stop(); err == nil {
		err = serr
	}
	return benchResult{Elapsed: elapsed}, err
}
