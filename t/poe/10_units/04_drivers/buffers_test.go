package drivers_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/driver"
)

// pipe returns a nonblocking pipe's read and write ends, closed at the end
// of the test.
func pipe(t testing.TB) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

// pattern returns n octets that tell where in a stream they belong: the
// octet at stream offset i is i*7 + i/251, so a shifted or repeated block
// does not match.
func pattern(from, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		o := from + i
		b[i] = byte(o*7 + o/251)
	}
	return b
}

// TestSysRWGet checks how POE::Driver::SysRW's get reads: at most
// BlockSize octets at a time, so that a record longer than a block comes
// in several and a read that fills the block returns the block; one
// buffer serves every read; and a lent buffer bounds the read as the
// block size does.
func TestSysRWGet(t *testing.T) {
	const block = 16
	cases := []struct {
		name  string
		sizes []int // the octets each Get should return, until the socket is empty
		put   int
	}{
		{"a read of exactly one block returns the block", []int{16}, 16},
		{"a short read returns what there was", []int{5}, 5},
		{"a record of two and a half blocks comes in three reads", []int{16, 16, 8}, 40},
		{"a record of many blocks comes in full blocks and the rest", []int{16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 3}, 163},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, w := socketpair(t)
			out, in := driver.NewSysRW(0), driver.NewSysRW(block)
			out.Put(pattern(0, c.put))
			if left, err := out.Flush(w); left != 0 || err != nil {
				t.Fatalf("flush left %d err %v", left, err)
			}
			var got []byte
			var sizes []int
			for {
				b, err := in.Get(r)
				if err != nil {
					t.Fatal(err)
				}
				if b == nil {
					break
				}
				sizes = append(sizes, len(b))
				got = append(got, b...)
			}
			if !bytes.Equal(got, pattern(0, c.put)) {
				t.Errorf("read %x, want %x", got, pattern(0, c.put))
			}
			if !equalInts(sizes, c.sizes) {
				t.Errorf("reads of %v octets, want %v", sizes, c.sizes)
			}
		})
	}
	t.Run("every read lands in the same buffer", func(t *testing.T) {
		r, w := socketpair(t)
		out, in := driver.NewSysRW(0), driver.NewSysRW(block)
		out.Put(pattern(0, 2*block))
		out.Flush(w)
		first, _ := in.Get(r)
		firstAt := &first[0]
		second, _ := in.Get(r)
		if &second[0] != firstAt {
			t.Error("the second read did not reuse the first's buffer")
		}
		if !bytes.Equal(second, pattern(block, block)) {
			t.Errorf("second block %x, want %x", second, pattern(block, block))
		}
	})
	lent := []struct {
		name string
		size int
		want []int
	}{
		{"a lent buffer longer than the block reads a block at a time", 64, []int{16, 16, 8}},
		{"a lent buffer shorter than the block bounds the read", 8, []int{8, 8, 8, 8, 8}},
	}
	for _, c := range lent {
		t.Run(c.name, func(t *testing.T) {
			r, w := socketpair(t)
			out, in := driver.NewSysRW(0), driver.NewSysRW(block)
			buf := make([]byte, c.size)
			in.ShareReadBuffer(buf)
			out.Put(pattern(0, 40))
			out.Flush(w)
			var got []byte
			var sizes []int
			for {
				b, err := in.Get(r)
				if err != nil {
					t.Fatal(err)
				}
				if b == nil {
					break
				}
				if &b[0] != &buf[0] {
					t.Error("Get did not read into the lent buffer")
				}
				sizes = append(sizes, len(b))
				got = append(got, b...)
			}
			if !bytes.Equal(got, pattern(0, 40)) || !equalInts(sizes, c.want) {
				t.Errorf("read %v octets: %x", sizes, got)
			}
		})
	}
	t.Run("an empty lent buffer is not an end of file", func(t *testing.T) {
		r, w := socketpair(t)
		out, in := driver.NewSysRW(0), driver.NewSysRW(block)
		in.ShareReadBuffer([]byte{})
		out.Put([]byte("data"))
		out.Flush(w)
		b, err := in.Get(r)
		if err == io.EOF || string(b) != "data" {
			t.Errorf("Get = %q, %v, want \"data\"", b, err)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSysRWQueueAgainstFullPipe puts, flushes and reads in a random but
// fixed order against a pipe the reader keeps nearly full, so that most
// flushes write part of the queue, and checks after every step what
// POE's get_out_messages_buffered and the octet count must say: the
// octets put and not yet written, and the messages not completely
// written, a partly written one included. Every octet must arrive once,
// in order, through the queue's compactions and reuse.
func TestSysRWQueueAgainstFullPipe(t *testing.T) {
	r, w := pipe(t)
	d := driver.NewSysRW(0)
	rng := rand.New(rand.NewPCG(1, 370))
	var ends []int // stream offset where each message put ends
	put, written := 0, 0
	var received []byte
	rbuf := make([]byte, 65536)
	check := func(step int, what string) {
		t.Helper()
		msgs := 0
		for _, e := range ends {
			if e > written {
				msgs++
			}
		}
		if d.GetOutOctets() != put-written || d.GetOutMessages() != msgs {
			t.Fatalf("step %d (%s): %d octets in %d messages queued, want %d in %d",
				step, what, d.GetOutOctets(), d.GetOutMessages(), put-written, msgs)
		}
	}
	message := func() []byte {
		n := rng.IntN(3000)
		if rng.IntN(10) == 0 {
			n = 0 // empty: not a message
		}
		m := pattern(put, n)
		put += n
		if n > 0 {
			ends = append(ends, put)
		}
		return m
	}
	flush := func() {
		before := d.GetOutOctets()
		left, err := d.Flush(w)
		if err != nil {
			t.Fatal(err)
		}
		if left != d.GetOutOctets() {
			t.Fatalf("Flush returned %d, %d octets queued", left, d.GetOutOctets())
		}
		written += before - left
	}
	partial := 0
	for step := range 4000 {
		backlog := put - written
		switch op := rng.IntN(20); {
		case op < 10 && backlog < 40000:
			switch rng.IntN(3) {
			case 0:
				d.Put(message(), message())
			case 1:
				d.Put(message())
			default:
				m := message()
				d.PutFunc(func(dst []byte) ([]byte, error) { return append(dst, m...), nil })
			}
			check(step, "put")
		case op < 17:
			before := d.GetOutOctets()
			flush()
			if left := d.GetOutOctets(); left > 0 && left < before {
				partial++
			}
			check(step, "flush")
		default:
			n, err := unix.Read(r, rbuf[:1+rng.IntN(4096)])
			if err != nil && err != unix.EAGAIN {
				t.Fatal(err)
			}
			if n > 0 {
				received = append(received, rbuf[:n]...)
			}
			check(step, "read")
		}
	}
	for d.GetOutOctets() > 0 {
		flush()
		for {
			n, _ := unix.Read(r, rbuf)
			if n <= 0 {
				break
			}
			received = append(received, rbuf[:n]...)
		}
	}
	check(-1, "drained")
	t.Logf("%d partial flushes, %d octets", partial, put)
	if partial < 50 {
		t.Errorf("only %d flushes were partial: the pipe was not kept full", partial)
	}
	if len(received) != put {
		t.Fatalf("received %d octets of %d", len(received), put)
	}
	for i := range received {
		if received[i] != pattern(i, 1)[0] {
			t.Fatalf("octet %d of %d is wrong: the queue lost or repeated octets", i, put)
		}
	}
}

// TestSysRWQueueDoesNotRegrow checks that a queue which never fully
// drains reuses its buffer: a writer that keeps ahead of its reader by a
// steady backlog must not need a buffer that grows with all it ever put.
// PutFunc's buffer is the queue's own, so its capacity is what the queue
// holds.
func TestSysRWQueueDoesNotRegrow(t *testing.T) {
	r, w := pipe(t)
	d := driver.NewSysRW(0)
	// Fill the pipe, and keep 100000 octets queued behind it.
	for d.GetOutOctets() < 100000 {
		d.Put(make([]byte, 10000))
		d.Flush(w)
	}
	rbuf := make([]byte, 10000)
	largest := 0
	for range 1000 {
		d.PutFunc(func(dst []byte) ([]byte, error) {
			largest = max(largest, cap(dst))
			return append(dst, make([]byte, 1000)...), nil
		})
		if _, err := unix.Read(r, rbuf[:1000]); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Flush(w); err != nil {
			t.Fatal(err)
		}
	}
	if d.GetOutOctets() == 0 {
		t.Fatal("the queue drained: the test kept no backlog")
	}
	// A million octets went through; a queue compacted in place stays
	// within a small multiple of its backlog and the pipe.
	if largest > 1<<19 {
		t.Errorf("the queue's buffer grew to %d octets for a backlog of about 100000", largest)
	}
}
