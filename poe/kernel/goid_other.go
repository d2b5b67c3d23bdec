//go:build !amd64 && !arm64

package kernel

import (
	"bytes"
	"runtime"
	"strconv"
)

// getg returns the goroutine number, read from the first line of the
// goroutine's stack trace: slow, but correct, on architectures without an
// assembly stub.
func getg() uintptr {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return uintptr(n)
}
