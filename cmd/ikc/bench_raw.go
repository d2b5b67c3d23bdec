package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

// callFrames returns the octets of one ikc-call-sequential exchange as
// the two Go kernels frame them: the call record the client sends
// (Filter::Reference's "length\0" header and the msgpack image) and the
// response the server sends back.
func callFrames() (request, response []byte, err error) {
	from := message.Address{Kernel: "BenchClient", Session: "sender", State: "next"}
	rsvp := message.Address{Kernel: "BenchClient", Session: "sender", State: "answer"}
	call := message.Call("poe://BenchServer/sink/echo", callPayload, rsvp, &from)
	reply := message.Response(rsvp, callPayload, nil)
	// The channel's own filter, given the *Message as the channel gives it.
	f := filter.NewReference(filter.ReferenceOptions{Serializer: msgpack.Default})
	if request, err = f.Put(nil, &call); err != nil {
		return nil, nil, err
	}
	if response, err = f.Put(nil, &reply); err != nil {
		return nil, nil, err
	}
	return request, response, nil
}

// benchRawCallBytes is the yardstick of ikc-call-sequential: the same
// octets (callFrames) in a plain TCP round trip over loopback, between two
// goroutines of one process as the two kernels are, with Go's net package
// and no event loop, framing or serializing. The IKC call's latency is
// compared with this one's.
func benchRawCallBytes(n int, tick func(float64)) (benchResult, error) {
	request, response, err := callFrames()
	if err != nil {
		return benchResult{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return benchResult{}, err
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		buf := make([]byte, len(request))
		for {
			if _, err := io.ReadFull(c, buf); err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				served <- err
				return
			}
			if _, err := c.Write(response); err != nil {
				served <- err
				return
			}
		}
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		return benchResult{}, err
	}
	progress := every(n, tick)
	lat := make([]time.Duration, 0, n)
	buf := make([]byte, len(response))
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	start := time.Now()
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if _, err := c.Write(request); err != nil {
			c.Close()
			return benchResult{}, fmt.Errorf("write: %w", err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			c.Close()
			return benchResult{}, fmt.Errorf("read: %w", err)
		}
		lat = append(lat, time.Since(t0))
		progress(i + 1)
	}
	elapsed := time.Since(start)
	c.Close()
	if err := <-served; err != nil {
		return benchResult{}, fmt.Errorf("server: %w", err)
	}
	p50, p99 := percentiles(lat)
	return benchResult{Elapsed: elapsed, P50: p50, P99: p99,
		RequestOctets: len(request), ResponseOctets: len(response)}, nil
}
