package drivers_test

import (
	"testing"

	"github.com/poe-go/poe/poe/driver"
)

// BenchmarkSysRWPutFlush measures one loop turn's output over a socketpair:
// a few messages put, one flush, the peer drained.
func BenchmarkSysRWPutFlush(b *testing.B) {
	for _, size := range []int{64, 4096} {
		b.Run(sizeName(size), func(b *testing.B) {
			r, w := socketpair(b)
			d, reader := driver.NewSysRW(0), driver.NewSysRW(0)
			msg := make([]byte, size)
			b.ReportAllocs()
			b.SetBytes(int64(4 * size))
			for b.Loop() {
				d.Put(msg, msg, msg, msg)
				if _, err := d.Flush(w); err != nil {
					b.Fatal(err)
				}
				for {
					got, err := reader.Get(r)
					if err != nil {
						b.Fatal(err)
					}
					if got == nil {
						break
					}
				}
				for d.GetOutOctets() > 0 { // the socket was full: drain and retry
					d.Flush(w)
					reader.Get(r)
				}
			}
		})
	}
}

func sizeName(n int) string {
	if n >= 1024 {
		return string(rune('0'+n/1024)) + "KiB"
	}
	return "64B"
}
