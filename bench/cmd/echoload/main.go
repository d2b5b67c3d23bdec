// Command echoload is the load client of the echo workloads: the same
// program, in its own process, drives every echo server the comparison
// runs (Go POE, Perl POE, C epoll, Go net, netpoll, Node.js).
//
// In rtt mode it opens -c connections to -addr and keeps -d messages of -s
// octets (newline-terminated lines) in flight on each: every echoed
// message is answered with a new one. After -warmup it counts round trips
// for -t and prints
//
//	RESULT mode=rtt conns=C depth=D size=S secs=T rtt_per_sec=R p50_us=P p99_us=Q
//
// With -poll busy, an rtt connection never sleeps on its socket: it reads
// without blocking, again and again, until the echo is there. One
// connection pipelining many lines is otherwise limited by the client's
// own wake-ups (the thread parked in the poller, woken by each reply)
// rather than by the server; a busy client spends a CPU to take that
// wait out, and so measures the server. It is meant for one connection:
// more busy clients would take the CPUs the server needs.
//
// In stream mode each connection writes blocks of -s octets as fast as the
// server takes them and counts the octets that come back:
//
//	RESULT mode=stream conns=C size=S secs=T mb_per_sec=M
//
// (MB is 10^6 octets.) Every run is bounded: the connections get a deadline
// a few seconds past the end, and a failure exits with status 1.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

type config struct {
	addr   string
	mode   string
	conns  int
	depth  int
	size   int
	dur    time.Duration
	warmup time.Duration
	poll   string // block, or busy: read without sleeping (rtt, one connection)
}

// check says what is wrong with the arguments, if anything.
func (c config) check() error {
	switch {
	case c.mode != "rtt" && c.mode != "stream":
		return fmt.Errorf("mode %q: want rtt or stream", c.mode)
	case c.conns < 1 || c.depth < 1 || c.size < 2 || c.dur <= 0:
		return errors.New("want at least 1 connection, 1 in flight, 2 octets and a duration")
	case c.poll != "block" && c.poll != "busy":
		return fmt.Errorf("poll %q: want block or busy", c.poll)
	case c.poll == "busy" && (c.mode != "rtt" || c.conns != 1):
		return errors.New("busy polling is for one rtt connection")
	}
	return nil
}

// window is the measured interval, as offsets from base on the monotonic
// clock.
type window struct {
	base       time.Time
	start, end time.Duration
}

func (w window) now() time.Duration { return time.Since(w.base) }

func (w window) in(t time.Duration) bool { return t >= w.start && t < w.end }

// deadline is when a connection gives up: the end of the window and the
// time to drain what is still in flight.
func (w window) deadline() time.Time { return w.base.Add(w.end + 5*time.Second) }

// maxSamples bounds the latency samples one connection keeps.
const maxSamples = 1 << 21

// result is what one connection measured.
type result struct {
	trips   int64           // round trips completed in the window
	octets  int64           // octets received in the window (stream)
	samples []time.Duration // latencies of round trips in the window
	err     error
}

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:7000", "server `host:port`")
	flag.StringVar(&c.mode, "mode", "rtt", "rtt (round trips of lines) or stream (bulk octets)")
	flag.IntVar(&c.conns, "c", 1, "connections")
	flag.IntVar(&c.depth, "d", 1, "messages in flight per connection (rtt)")
	flag.IntVar(&c.size, "s", 16, "message size in octets, newline included (rtt); block size (stream)")
	flag.DurationVar(&c.dur, "t", 2*time.Second, "measured duration")
	flag.DurationVar(&c.warmup, "warmup", 300*time.Millisecond, "unmeasured time before the measure")
	flag.StringVar(&c.poll, "poll", "block", "block (sleep until the socket is readable) or busy (read without sleeping; rtt, one connection)")
	flag.Parse()
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "echoload:", err)
		flag.Usage()
		os.Exit(2)
	}
	if c.poll == "busy" {
		// One P: the runtime's other Ps would otherwise spin up threads
		// around the busy goroutine (after each preemption, looking for
		// work) and take CPU from the server; measured, they halve the
		// rate on two CPUs.
		runtime.GOMAXPROCS(1)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "echoload:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	conns := make([]net.Conn, 0, c.conns)
	defer func() {
		for _, cn := range conns {
			cn.Close()
		}
	}()
	for i := 0; i < c.conns; i++ {
		cn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return err
		}
		conns = append(conns, cn)
	}
	w := window{base: time.Now(), start: c.warmup, end: c.warmup + c.dur}
	deadline := w.deadline()
	results := make([]result, len(conns))
	var wg sync.WaitGroup
	for i, cn := range conns {
		cn.SetDeadline(deadline)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.mode == "rtt" {
				results[i] = roundTrips(cn, c, w)
			} else {
				results[i] = stream(cn, c, w)
			}
		}()
	}
	wg.Wait()
	var total result
	for _, r := range results {
		if r.err != nil {
			return r.err
		}
		total.trips += r.trips
		total.octets += r.octets
		total.samples = append(total.samples, r.samples...)
	}
	secs := c.dur.Seconds()
	if c.mode == "stream" {
		fmt.Printf("RESULT mode=stream conns=%d size=%d secs=%g mb_per_sec=%.1f\n",
			c.conns, c.size, secs, float64(total.octets)/secs/1e6)
		return nil
	}
	slices.Sort(total.samples)
	fmt.Printf("RESULT mode=rtt conns=%d depth=%d size=%d secs=%g rtt_per_sec=%.1f p50_us=%.1f p99_us=%.1f\n",
		c.conns, c.depth, c.size, secs, float64(total.trips)/secs,
		micros(percentile(total.samples, 0.50)), micros(percentile(total.samples, 0.99)))
	return nil
}

// roundTrips keeps c.depth messages in flight on cn until the window ends,
// then drains what is still in flight. The servers echo in order and every
// message has the same size, so octet counts tell which messages are back.
func roundTrips(cn net.Conn, c config, w window) result {
	msg := append(bytes.Repeat([]byte{'x'}, c.size-1), '\n')
	out := bytes.Repeat(msg, c.depth)
	sent := make([]time.Duration, c.depth) // send times, a ring in send order
	head, inflight := 0, 0
	var r result
	send := func(k int) error {
		now := w.now()
		for j := 0; j < k; j++ {
			sent[(head+inflight+j)%c.depth] = now
		}
		inflight += k
		_, err := cn.Write(out[:k*c.size])
		return err
	}
	if r.err = send(c.depth); r.err != nil {
		return r
	}
	buf := make([]byte, 64<<10)
	var rd io.Reader = cn
	if c.poll == "busy" {
		if rd, r.err = newBusyReader(cn, w.deadline()); r.err != nil {
			return r
		}
	}
	partial := 0
	for inflight > 0 {
		n, err := rd.Read(buf)
		if err != nil {
			r.err = fmt.Errorf("after %d round trips: %w", r.trips, err)
			return r
		}
		now := w.now()
		partial += n
		k := partial / c.size
		partial %= c.size
		if k > inflight {
			r.err = errors.New("server sent more than was sent to it")
			return r
		}
		for j := 0; j < k; j++ {
			if w.in(now) {
				r.trips++
				if len(r.samples) < maxSamples {
					r.samples = append(r.samples, now-sent[head])
				}
			}
			head = (head + 1) % c.depth
		}
		inflight -= k
		if k > 0 && now < w.end {
			if r.err = send(k); r.err != nil {
				return r
			}
		}
	}
	return r
}

// stream writes blocks of c.size octets on cn from one goroutine and counts
// the octets read back in the window from another.
func stream(cn net.Conn, c config, w window) result {
	block := bytes.Repeat([]byte{'x'}, c.size)
	stop := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := cn.Write(block); err != nil {
				return
			}
			if w.now() >= w.end {
				return
			}
		}
	}()
	var r result
	buf := make([]byte, 256<<10)
	for {
		n, err := cn.Read(buf)
		now := w.now()
		if w.in(now) {
			r.octets += int64(n)
		}
		if now >= w.end {
			break
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				r.err = err
			} else {
				r.err = errors.New("server closed the connection")
			}
			break
		}
	}
	close(stop)
	cn.Close() // unblocks a writer stuck on a full socket
	<-writerDone
	return r
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return sorted[i]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
