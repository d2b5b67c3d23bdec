package main

import (
	"errors"
	"io"
	"net"
	"os"
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
		{mode: "rtt", conns: 1, depth: 1, size: 16, poll: "block"},
		{mode: "rtt", conns: 3, depth: 16, size: 16, poll: "block"},
		{mode: "rtt", conns: 1, depth: 16, size: 16, poll: "busy"},
		{mode: "stream", conns: 1, depth: 1, size: 4096, poll: "block"},
	} {
		c.addr, c.dur, c.warmup = addr, 50*time.Millisecond, 10*time.Millisecond
		if err := run(c); err != nil {
			t.Errorf("%s c=%d d=%d %s: %v", c.mode, c.conns, c.depth, c.poll, err)
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

func TestCheckArguments(t *testing.T) {
	good := config{mode: "rtt", conns: 1, depth: 64, size: 16, dur: time.Second, poll: "busy"}
	for _, tc := range []struct {
		name   string
		change func(*config)
		ok     bool
	}{
		{"busy rtt on one connection", func(*config) {}, true},
		{"blocking on many", func(c *config) { c.poll, c.conns = "block", 50 }, true},
		{"busy on many", func(c *config) { c.conns = 2 }, false},
		{"busy stream", func(c *config) { c.mode = "stream" }, false},
		{"unknown poll", func(c *config) { c.poll = "spin" }, false},
		{"unknown mode", func(c *config) { c.mode = "udp" }, false},
		{"no depth", func(c *config) { c.depth = 0 }, false},
		{"one-octet lines", func(c *config) { c.size = 1 }, false},
	} {
		c := good
		tc.change(&c)
		if err := c.check(); (err == nil) != tc.ok {
			t.Errorf("%s: check() = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

// TestBusyReaderEnds: a busy read returns what comes, then end of file
// when the peer closes, and gives up at its deadline when nothing comes,
// rather than spin for ever.
func TestBusyReaderEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peers := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			peers <- c
		}
	}()
	dial := func() (net.Conn, net.Conn) {
		cn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cn.Close() })
		return cn, <-peers
	}
	buf := make([]byte, 64)

	cn, peer := dial()
	rd, err := newBusyReader(cn, time.Now().Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	peer.Write([]byte("hello\n"))
	if n, err := rd.Read(buf); err != nil || string(buf[:n]) != "hello\n" {
		t.Fatalf("read = %q, %v; want %q", buf[:n], err, "hello\n")
	}
	msg := []byte("again\n")
	if allocs := testing.AllocsPerRun(50, func() {
		peer.Write(msg)
		rd.Read(buf)
	}); allocs != 0 {
		t.Errorf("%v allocations per busy read, want 0", allocs)
	}
	peer.Close()
	if n, err := rd.Read(buf); err != io.EOF {
		t.Fatalf("after close: read = %d, %v; want EOF", n, err)
	}

	cn, peer = dial()
	defer peer.Close()
	start := time.Now()
	rd, err = newBusyReader(cn, start.Add(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := rd.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("silent peer: read = %d, %v; want the deadline", n, err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Fatalf("gave up after %v, before the deadline", waited)
	}
}
