// Package drivers_test ports POE's t/10_units/04_drivers.
package drivers_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/driver"
)

func socketpair(t testing.TB) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// writeUntilFull puts and flushes big chunks until the descriptor refuses
// more, as 01_sysrw.t's write_until_pipe_is_full does.
func writeUntilFull(t *testing.T, d *driver.SysRW, fd int) int {
	t.Helper()
	big := bytes.Repeat([]byte("*"), 1<<20)
	flushed := 0
	for {
		queued := d.Put(big)
		left, err := d.Flush(fd)
		if err != nil {
			t.Fatal(err)
		}
		flushed += queued - left
		if left > 0 {
			return flushed
		}
	}
}

func readUntilEmpty(t *testing.T, d *driver.SysRW, fd int) int {
	t.Helper()
	n := 0
	for {
		b, err := d.Get(fd)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			return n
		}
		n += len(b)
	}
}

// TestSysRW mirrors t/10_units/04_drivers/01_sysrw.t.
func TestSysRW(t *testing.T) {
	t.Run("a negative block size is refused", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		driver.NewSysRW(-1)
	})
	t.Run("block size 0 means POE's default of 65536", func(t *testing.T) {
		if n := driver.NewSysRW(0).BlockSize(); n != 65536 {
			t.Fatalf("block size %d", n)
		}
	})
	t.Run("get on a bad descriptor returns a read error with its errno", func(t *testing.T) {
		_, err := driver.NewSysRW(0).Get(-1)
		var op *driver.OpError
		if !errors.As(err, &op) || op.Op != "read" || op.Errno != unix.EBADF || !errors.Is(err, unix.EBADF) {
			t.Fatalf("err %#v", err)
		}
	})
	t.Run("an empty put queues nothing", func(t *testing.T) {
		d := driver.NewSysRW(1024)
		if n := d.Put(); n != 0 || d.GetOutMessages() != 0 {
			t.Fatalf("queued %d in %d messages", n, d.GetOutMessages())
		}
		if n := d.Put(nil, []byte{}); n != 0 || d.GetOutMessages() != 0 {
			t.Fatalf("queued %d in %d messages", n, d.GetOutMessages())
		}
	})
	t.Run("put returns the octets queued and counts messages", func(t *testing.T) {
		d := driver.NewSysRW(1024)
		first := bytes.Repeat([]byte("test"), 10)
		if n := d.Put(first); n != 40 || d.GetOutMessages() != 1 {
			t.Fatalf("queued %d in %d messages", n, d.GetOutMessages())
		}
		if n := d.Put(bytes.Repeat([]byte("more test"), 5)); n != 85 || d.GetOutMessages() != 2 || d.GetOutOctets() != 85 {
			t.Fatalf("queued %d in %d messages", n, d.GetOutMessages())
		}
		first[0] = 'X'
		r, w := socketpair(t)
		d.Flush(w)
		if b, _ := d.Get(r); !bytes.HasPrefix(b, []byte("testtest")) {
			t.Fatalf("put did not copy: read %q", b)
		}
	})
	t.Run("partial writes to a full socket keep the rest queued, and all of it arrives", func(t *testing.T) {
		d := driver.NewSysRW(1024)
		r, w := socketpair(t)
		flushed := writeUntilFull(t, d, w)
		if read := readUntilEmpty(t, d, r); read != flushed {
			t.Fatalf("flushed %d, read %d", flushed, read)
		}
		for d.GetOutMessages() > 0 {
			if _, err := d.Flush(w); err != nil {
				t.Fatal(err)
			}
			readUntilEmpty(t, d, r)
		}
		if d.GetOutOctets() != 0 {
			t.Fatalf("%d octets left", d.GetOutOctets())
		}
	})
	t.Run("get returns EOF once the other end is closed and drained", func(t *testing.T) {
		fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		defer unix.Close(fds[0])
		unix.SetNonblock(fds[0], true)
		d := driver.NewSysRW(4)
		d.Put([]byte("0123456789"))
		d.Flush(fds[1])
		unix.Close(fds[1])
		var got []byte
		for {
			b, err := d.Get(fds[0])
			if err == io.EOF {
				break
			}
			if err != nil || b == nil {
				t.Fatalf("b %q err %v", b, err)
			}
			got = append(got, b...)
		}
		if string(got) != "0123456789" {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("get on an empty socket would block and is not an error", func(t *testing.T) {
		r, _ := socketpair(t)
		if b, err := driver.NewSysRW(0).Get(r); b != nil || err != nil {
			t.Fatalf("b %q err %v", b, err)
		}
	})
	t.Run("flush to a closed peer is a write error and keeps the octets queued", func(t *testing.T) {
		fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		defer unix.Close(fds[1])
		unix.Close(fds[0])
		d := driver.NewSysRW(0)
		d.Put([]byte("lost"))
		left, err := d.Flush(fds[1])
		var op *driver.OpError
		if left != 4 || !errors.As(err, &op) || op.Op != "write" || op.Errno != unix.EPIPE {
			t.Fatalf("left %d err %v", left, err)
		}
	})
	t.Run("flush to a bad descriptor is a write error", func(t *testing.T) {
		d := driver.NewSysRW(0)
		d.Put([]byte("x"))
		if left, err := d.Flush(-1); left != 1 || !errors.Is(err, unix.EBADF) {
			t.Fatalf("left %d err %v", left, err)
		}
	})
	t.Run("messages put in one turn leave in one write", func(t *testing.T) {
		d := driver.NewSysRW(0)
		r, w := socketpair(t)
		for _, m := range []string{"a", "bc", "def"} {
			d.Put([]byte(m))
		}
		if left, err := d.Flush(w); left != 0 || err != nil || d.GetOutMessages() != 0 {
			t.Fatalf("left %d err %v", left, err)
		}
		if b, _ := d.Get(r); string(b) != "abcdef" {
			t.Fatalf("read %q", b)
		}
	})
	t.Run("PutFunc encodes in place and an error queues nothing", func(t *testing.T) {
		d := driver.NewSysRW(0)
		d.PutFunc(func(dst []byte) ([]byte, error) { return append(dst, "hello"...), nil })
		n, err := d.PutFunc(func(dst []byte) ([]byte, error) { return append(dst, "junk"...), errors.New("no") })
		if n != 5 || err == nil || d.GetOutMessages() != 1 {
			t.Fatalf("n %d err %v messages %d", n, err, d.GetOutMessages())
		}
		r, w := socketpair(t)
		d.Flush(w)
		if b, _ := d.Get(r); string(b) != "hello" {
			t.Fatalf("read %q", b)
		}
	})
	t.Run("a partly written message still counts until it is done", func(t *testing.T) {
		d := driver.NewSysRW(1 << 16)
		r, w := socketpair(t)
		writeUntilFull(t, d, w)
		msgs := d.GetOutMessages()
		d.Put([]byte("tail"))
		if d.GetOutMessages() != msgs+1 {
			t.Fatalf("messages %d, want %d", d.GetOutMessages(), msgs+1)
		}
		for d.GetOutOctets() > 0 {
			readUntilEmpty(t, d, r)
			d.Flush(w)
		}
		if d.GetOutMessages() != 0 {
			t.Fatalf("messages %d", d.GetOutMessages())
		}
	})
}
