package main

import (
	"io"
	"net"
	"testing"
	"time"
)

// echoServer serves io.Copy echo on loopback until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func TestLoadCountsRoundTripsAndOctets(t *testing.T) {
	addr := echoServer(t)
	for _, c := range []config{
		{mode: "rtt", conns: 1, depth: 1, size: 16},
		{mode: "rtt", conns: 3, depth: 16, size: 16},
		{mode: "stream", conns: 1, depth: 1, size: 4096},
	} {
		c.addr, c.dur, c.warmup = addr, 50*time.Millisecond, 10*time.Millisecond
		if err := run(c); err != nil {
			t.Errorf("%s c=%d d=%d: %v", c.mode, c.conns, c.depth, err)
		}
	}
}

func TestPercentile(t *testing.T) {
	s := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if p := percentile(s, 0.5); p != 5 {
		t.Errorf("p50 = %v, want 5", p)
	}
	if p := percentile(s, 0.99); p != 9 {
		t.Errorf("p99 = %v, want 9", p)
	}
	if p := percentile(nil, 0.5); p != 0 {
		t.Errorf("p50 of nothing = %v, want 0", p)
	}
}
