package drivers_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/poe-go/poe/poe/driver"
	"github.com/poe-go/poe/poe/filter"
)

// TestSysRWAdaptiveBlockSize reads a regular file, whose reads fill every
// block they are given, and checks each read's size and the block size it
// leaves: a driver made with block size 0 doubles its block while reads
// fill it, up to MaxAdaptiveBlockSize, and halves it after a read of less
// than a quarter; a driver given its size keeps it.
func TestSysRWAdaptiveBlockSize(t *testing.T) {
	const k = 1024
	if driver.MaxAdaptiveBlockSize != 1024*k {
		t.Fatalf("MaxAdaptiveBlockSize %d: the table below assumes 1 MiB", driver.MaxAdaptiveBlockSize)
	}
	// Reads of a driver made with block size 0 and the block size each
	// leaves: the last read, of less than a quarter, halves it.
	sizes := []int{64 * k, 128 * k, 256 * k, 512 * k, 1024 * k, 1024 * k, 100}
	grown := []int{128 * k, 256 * k, 512 * k, 1024 * k, 1024 * k, 1024 * k, 512 * k}
	total := 0
	for _, n := range sizes {
		total += n
	}
	tests := []struct {
		name      string
		blockSize int
		lend      int // ShareReadBuffer before each Get with a buffer this long; 0 lends none
		reads     []int
		blocks    []int // BlockSize after each read
	}{
		{
			name:   "block size 0 grows while reads fill their block, then shrinks",
			reads:  sizes,
			blocks: grown,
		},
		{
			name:   "the same reading into a lent buffer longer than the block",
			lend:   2048 * k,
			reads:  sizes,
			blocks: grown,
		},
		{
			name:   "a lent buffer shorter than the block bounds the read and stops the growth",
			lend:   100 * k,
			reads:  []int{64 * k, 100 * k, 100 * k},
			blocks: []int{128 * k, 128 * k, 128 * k},
		},
		{
			name:      "a block size given is kept",
			blockSize: 64 * k,
			reads:     []int{64 * k, 64 * k, 64 * k},
			blocks:    []int{64 * k, 64 * k, 64 * k},
		},
	}
	// Octets that tell their offset, so that a read from the wrong place
	// or a stale buffer does not match.
	data := pattern(0, total)
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fd)
			d := driver.NewSysRW(tt.blockSize)
			off := 0
			for i, want := range tt.reads {
				var lent []byte
				if tt.lend > 0 {
					lent = make([]byte, tt.lend)
					d.ShareReadBuffer(lent)
				}
				got, err := d.Get(fd)
				if err != nil {
					t.Fatalf("read %d: %v", i, err)
				}
				if len(got) != want {
					t.Fatalf("read %d: %d octets, want %d", i, len(got), want)
				}
				if !bytes.Equal(got, data[off:off+want]) {
					t.Fatalf("read %d: wrong octets", i)
				}
				if lent != nil && &got[0] != &lent[0] {
					t.Fatalf("read %d: not into the lent buffer", i)
				}
				off += want
				if b := d.BlockSize(); b != tt.blocks[i] {
					t.Fatalf("after read %d: block size %d, want %d", i, b, tt.blocks[i])
				}
			}
		})
	}
}

// TestSysRWPutRecord checks PutRecord as PutFunc's twin: an encoded
// record is one message, an empty one none, and a refused one leaves the
// queue as it was and returns the filter's error.
func TestSysRWPutRecord(t *testing.T) {
	d := driver.NewSysRW(0)
	line := filter.NewLine(filter.LineOptions{Literal: "\n"})
	steps := []struct {
		record   any
		octets   int
		messages int
		refused  bool
	}{
		{"one", 4, 1, false},
		{[]byte("two"), 8, 2, false},
		{42, 8, 2, true},
		{"", 9, 3, false}, // an empty line is still its terminator
	}
	for i, s := range steps {
		n, err := d.PutRecord(line, s.record)
		if (err != nil) != s.refused || (s.refused && !errors.Is(err, filter.ErrRecordType)) {
			t.Fatalf("step %d: err %v", i, err)
		}
		if n != s.octets || d.GetOutOctets() != s.octets || d.GetOutMessages() != s.messages {
			t.Fatalf("step %d: %d octets (%d queued) in %d messages, want %d in %d", i, n, d.GetOutOctets(), d.GetOutMessages(), s.octets, s.messages)
		}
	}
	stream := filter.NewStream()
	if n, err := d.PutRecord(stream, ""); err != nil || n != 9 || d.GetOutMessages() != 3 {
		t.Fatalf("an empty record: %d octets in %d messages, err %v", n, d.GetOutMessages(), err)
	}
	r, w := socketpair(t)
	if left, err := d.Flush(w); err != nil || left != 0 {
		t.Fatalf("flush left %d, err %v", left, err)
	}
	if got, _ := d.Get(r); string(got) != "one\ntwo\n\n" {
		t.Fatalf("read %q", got)
	}
}
