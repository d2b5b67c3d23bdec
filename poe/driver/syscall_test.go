package driver

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRawCapable checks which descriptors the driver reads and writes with
// bare system calls: only those that cannot block.
func TestRawCapable(t *testing.T) {
	pair := func(nonblock bool) func(t *testing.T) int {
		return func(t *testing.T) int {
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
			if err := unix.SetNonblock(fds[0], nonblock); err != nil {
				t.Fatal(err)
			}
			return fds[0]
		}
	}
	pipe := func(nonblock bool) func(t *testing.T) int {
		return func(t *testing.T) int {
			var p [2]int
			if err := unix.Pipe(p[:]); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
			if err := unix.SetNonblock(p[0], nonblock); err != nil {
				t.Fatal(err)
			}
			return p[0]
		}
	}
	file := func(t *testing.T) int {
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		fd, err := unix.Dup(int(f.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
		return fd
	}
	tests := []struct {
		name string
		open func(t *testing.T) int
		want bool
	}{
		{"nonblocking socket", pair(true), true},
		{"blocking socket", pair(false), false},
		{"nonblocking pipe", pipe(true), true},
		{"blocking pipe", pipe(false), false},
		{"regular file, even marked nonblocking", file, false},
		{"closed descriptor", func(t *testing.T) int { return 1 << 20 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rawCapable(tc.open(t)); got != tc.want {
				t.Errorf("rawCapable = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRawReadWrite runs Get and Flush over a nonblocking socket pair,
// where they take bare system calls: data, would-block and end of file
// come back as they do through the ordinary calls.
func TestRawReadWrite(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	open := fds // closed ends become -1, so that cleanup closes each once
	t.Cleanup(func() {
		for _, fd := range open {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	})
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	w, r := NewSysRW(0), NewSysRW(0)
	if data, err := r.Get(fds[1]); data != nil || err != nil {
		t.Fatalf("Get on an empty socket = %q, %v; want nil, nil", data, err)
	}
	if !r.rawIn.useRaw(fds[1]) {
		t.Fatal("a nonblocking socket does not take bare system calls")
	}
	w.Put([]byte("hello "), []byte("world"))
	if left, err := w.Flush(fds[0]); left != 0 || err != nil {
		t.Fatalf("Flush = %d, %v", left, err)
	}
	data, err := r.Get(fds[1])
	if string(data) != "hello world" || err != nil {
		t.Fatalf("Get = %q, %v", data, err)
	}
	unix.Close(fds[0])
	open[0] = -1
	if data, err := r.Get(fds[1]); data != nil || err == nil || err.Error() != "EOF" {
		t.Fatalf("Get after the peer closed = %q, %v; want EOF", data, err)
	}
	w.Put([]byte("x"))
	if _, err := w.Flush(fds[1]); err == nil {
		t.Fatal("Flush to a closed peer succeeded")
	}
}

// TestRawCapableAskedOncePerDirection reads one pipe and writes another
// with one driver, as a ReadWrite on STDIN and STDOUT does: each
// descriptor is looked at once, not again at every turn between them.
func TestRawCapableAskedOncePerDirection(t *testing.T) {
	var in, out [2]int
	for _, p := range []*[2]int{&in, &out} {
		if err := unix.Pipe(p[:]); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
		for _, fd := range p {
			if err := unix.SetNonblock(fd, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	asked := map[int]int{}
	capable = func(fd int) bool { asked[fd]++; return rawCapable(fd) }
	t.Cleanup(func() { capable = rawCapable })
	d := NewSysRW(0)
	for i := 0; i < 5; i++ {
		if _, err := unix.Write(in[1], []byte("line\n")); err != nil {
			t.Fatal(err)
		}
		data, err := d.Get(in[0])
		if string(data) != "line\n" || err != nil {
			t.Fatalf("Get = %q, %v", data, err)
		}
		d.Put(data)
		if left, err := d.Flush(out[1]); left != 0 || err != nil {
			t.Fatalf("Flush = %d, %v", left, err)
		}
	}
	if asked[in[0]] != 1 || asked[out[1]] != 1 || len(asked) != 2 {
		t.Errorf("descriptors looked at %v times; want each once", asked)
	}
}
