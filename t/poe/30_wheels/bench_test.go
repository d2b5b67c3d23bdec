package wheels_test

import (
	"bytes"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/driver"
	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// line is a 16-octet line on the wire: 14 characters and CR LF.
var line any = "0123456789abcd"

// benchEcho runs b.N round trips of 16-octet lines between two ReadWrite
// wheels on a socketpair, keeping depth lines in flight; the server's
// lines are strings, or borrowed (LineOptions.Borrow).
func benchEcho(b *testing.B, depth int, borrow bool) {
	a, c := socketpair(b)
	var srv, cli *wheel.ReadWrite
	sent, got := 0, 0
	b.ReportAllocs()
	run(b, kernel.States{
		"_start": func(e *kernel.Event) any {
			srv, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, InputEvent: "srv_in", ErrorEvent: "srv_err",
				Filter: filter.NewLine(filter.LineOptions{Borrow: borrow})})
			cli, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: c, InputEvent: "cli_in"})
			b.ResetTimer()
			for ; sent < depth && sent < b.N; sent++ {
				cli.Put(line)
			}
			return nil
		},
		"srv_in":  func(e *kernel.Event) any { srv.Put(e.Arg(0)); return nil },
		"srv_err": func(e *kernel.Event) any { srv.Close(); return nil },
		"cli_in": func(e *kernel.Event) any {
			if got++; got == b.N {
				b.StopTimer()
				cli.Close()
				return nil
			}
			if sent < b.N {
				sent++
				cli.Put(line)
			}
			return nil
		},
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}

// BenchmarkReadWriteEcho measures request-response latency through two
// ReadWrite wheels and Line filters: one 16-octet line at a time.
func BenchmarkReadWriteEcho(b *testing.B) { benchEcho(b, 1, false) }

// BenchmarkReadWriteEchoPipelined keeps 64 lines in flight, so each round
// of the loop moves many records per write(2); the server's lines are
// strings, and borrowed.
func BenchmarkReadWriteEchoPipelined(b *testing.B) {
	for _, borrow := range []bool{false, true} {
		b.Run(fmt.Sprintf("borrow=%v", borrow), func(b *testing.B) { benchEcho(b, 64, borrow) })
	}
}

// BenchmarkReadWriteStream measures throughput: 64 KiB Stream records
// from one wheel to another over a socketpair, each record the reader's
// own, and lent (StreamOptions.Borrow).
func BenchmarkReadWriteStream(b *testing.B) {
	for _, borrow := range []bool{false, true} {
		b.Run(fmt.Sprintf("borrow=%v", borrow), func(b *testing.B) { benchStream(b, borrow) })
	}
}

func benchStream(b *testing.B, borrow bool) {
	const size = 64 << 10
	var chunk any = make([]byte, size)
	a, c := socketpair(b)
	var tx, rx *wheel.ReadWrite
	total, want, sent := 0, 0, 0
	b.ReportAllocs()
	b.SetBytes(size)
	put := func() {
		for sent < b.N && tx.GetDriverOutOctets() < 4*size {
			tx.Put(chunk)
			sent++
		}
	}
	run(b, kernel.States{
		"_start": func(e *kernel.Event) any {
			tx, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: a, Filter: filter.NewStream(),
				FlushedEvent: "more", HighMark: 2 * size, LowMark: size, LowEvent: "more"})
			rx, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{Handle: c, InputEvent: "in",
				Filter: filter.NewStream(filter.StreamOptions{Borrow: borrow})})
			want = b.N * size
			b.ResetTimer()
			put()
			return nil
		},
		"more": func(e *kernel.Event) any { put(); return nil },
		"in": func(e *kernel.Event) any {
			total += len(e.Arg(0).([]byte))
			if total >= want {
				b.StopTimer()
				tx.Close()
				rx.Close()
			}
			return nil
		},
	})
}

// memDriver is a SysRW whose every Get returns the same block: with it
// a ReadWrite's server path, from a read's records to their replies'
// write(2), to /dev/null, is timed without a read(2).
type memDriver struct {
	*driver.SysRW
	block []byte
	null  int
}

func (d *memDriver) Get(int) ([]byte, error) { return d.block, nil }
func (d *memDriver) Flush(int) (int, error)  { return d.SysRW.Flush(d.null) }

// BenchmarkReadWriteServe times the server's side of the echo workload:
// each operation is one read of n 16-octet lines, delivered one by one to
// a handler that puts each back (borrowed lines, as bench/echo serves
// them), then the write(2) of the replies, to /dev/null. The reads come
// from memory and the input descriptor is a pipe kept readable, so what
// is timed is one poll, one write(2) and the wheel's, filters' and
// kernel's work. The wheel closes the pipe. bench/c/serve_path.c does the
// same in C, for the floor.
func BenchmarkReadWriteServe(b *testing.B) {
	for _, n := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			var p [2]int
			if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
				b.Fatal(err)
			}
			writeAll(b, p[1], []byte{1}) // kept unread: the pipe stays readable
			null, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer unix.Close(null)
			d := &memDriver{SysRW: driver.NewSysRW(0), block: bytes.Repeat([]byte("0123456789abcde\n"), n), null: null}
			var rw *wheel.ReadWrite
			reads, left := 0, n
			b.ReportAllocs()
			run(b, kernel.States{
				"_start": func(e *kernel.Event) any {
					rw, _ = wheel.NewReadWrite(e, wheel.ReadWriteOptions{InputHandle: p[0], OutputHandle: p[1], Driver: d, InputEvent: "got",
						Filter: filter.NewLine(filter.LineOptions{Literal: "\n", Borrow: true})})
					b.ResetTimer()
					return nil
				},
				"got": func(e *kernel.Event) any {
					rw.Put(e.Arg(0))
					if left--; left == 0 { // no division: it would cost more than the Put
						left = n
						if reads++; reads == b.N {
							b.StopTimer()
							rw.Close()
						}
					}
					return nil
				},
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/line")
		})
	}
}
