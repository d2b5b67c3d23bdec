package filters_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// be32 is 01_block.t's custom codec: a 4-octet big-endian length.
type be32 struct{}

func (be32) EncodeLength(dst []byte, n int) []byte {
	return binary.BigEndian.AppendUint32(dst, uint32(n))
}

func (be32) DecodeLength(buf []byte) (int, int) {
	if len(buf) < 4 {
		return -1, 0
	}
	return int(binary.BigEndian.Uint32(buf)), 4
}

// TestBlock mirrors t/10_units/05_filters/01_block.t.
func TestBlock(t *testing.T) {
	t.Run("fixed-size blocks are parsed and put joined", func(t *testing.T) {
		f := filter.NewBlock(filter.BlockOptions{BlockSize: 4})
		raw, _ := f.Put(nil, "12345678")
		got := drain(t, f, raw)
		if !equal(got, blocks("1234", "5678")) {
			t.Fatalf("got %q", got)
		}
		reraw, _ := f.Put(nil, got...)
		if string(reraw) != "12345678" {
			t.Fatalf("reraw %q", reraw)
		}
	})
	t.Run("get_one takes one fixed-size block", func(t *testing.T) {
		f := filter.NewBlock(filter.BlockOptions{BlockSize: 4})
		f.GetOneStart([]byte("12345678"))
		rec, ok, err := f.GetOne()
		if !ok || err != nil || string(rec.([]byte)) != "1234" {
			t.Fatalf("got %q %v %v", rec, ok, err)
		}
	})
	t.Run("fixed-size blocks pass the standard checks with a partial block pending", func(t *testing.T) {
		checkStandard(t, filter.NewBlock(filter.BlockOptions{BlockSize: 2}), chunks("ab", "cd"), blocks("ab", "cd"), []byte("abcd"))
		f := filter.NewBlock(filter.BlockOptions{BlockSize: 2})
		if got := drain(t, f, []byte("abcde")); !equal(got, blocks("ab", "cd")) || string(f.GetPending()) != "e" {
			t.Fatalf("got %q pending %q", got, f.GetPending())
		}
	})
	t.Run("length-prefixed blocks wait for their header and payload", func(t *testing.T) {
		f := filter.NewBlock()
		raw, _ := f.Put(nil, "a", "bc", "def", "ghij")
		if string(raw) != "1\x00a2\x00bc3\x00def4\x00ghij" {
			t.Fatalf("put %q", raw)
		}
		if got := drain(t, f, raw); !equal(got, blocks("a", "bc", "def", "ghij")) {
			t.Fatalf("got %q", got)
		}
		for _, part := range []string{"1", "0", "\x00", "klmno"} {
			if got := drain(t, f, []byte(part)); len(got) != 0 {
				t.Fatalf("partial %q gave %q", part, got)
			}
		}
		if got := drain(t, f, []byte("pqrst")); !equal(got, blocks("klmnopqrst")) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("a custom length codec frames and parses its own blocks", func(t *testing.T) {
		f := filter.NewBlock(filter.BlockOptions{LengthCodec: be32{}})
		raw, _ := f.Put(nil, "a", "bc")
		if string(raw) != "\x00\x00\x00\x01a\x00\x00\x00\x02bc" {
			t.Fatalf("put %q", raw)
		}
		if got := drain(t, f, raw); !equal(got, blocks("a", "bc")) {
			t.Fatalf("got %q", got)
		}
		for _, part := range []string{"\x00", "\x00", "\x00", "\x0a", "klmno"} {
			if got := drain(t, f, []byte(part)); len(got) != 0 {
				t.Fatalf("partial %q gave %q", part, got)
			}
		}
		if got := drain(t, f, []byte("pqrst")); !equal(got, blocks("klmnopqrst")) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("length-prefixed blocks split at every octet give the same blocks", func(t *testing.T) {
		checkSplits(t, func() filter.Filter { return filter.NewBlock() }, []byte("1\x00a0\x0011\x00hello world"), blocks("a", "", "hello world"))
	})
	t.Run("strange bytes before a header are discarded with a warning", func(t *testing.T) {
		var warned []string
		f := filter.NewBlock(filter.BlockOptions{Warn: func(m string) { warned = append(warned, m) }})
		got := drain(t, f, []byte("xyz2\x00ab"))
		if !equal(got, blocks("ab")) || len(warned) != 1 || warned[0] != "3 strange bytes removed from stream" {
			t.Fatalf("got %q warned %q", got, warned)
		}
	})
	t.Run("the pending payload of a decoded header keeps its header", func(t *testing.T) {
		f := filter.NewBlock()
		drain(t, f, []byte("10\x00abc"))
		if got := drain(t, filter.NewBlock(), append(f.GetPending(), "defghij"...)); !equal(got, blocks("abcdefghij")) {
			t.Fatalf("got %q", got)
		}
	})
}

// TestBlockLimits mirrors 01_block.t's constructor and limit checks.
func TestBlockLimits(t *testing.T) {
	bad := []struct {
		name string
		o    filter.BlockOptions
	}{
		{"MaxLength above MaxBuffer is refused", filter.BlockOptions{MaxLength: 10, MaxBuffer: 5}},
		{"a negative MaxLength is refused", filter.BlockOptions{MaxLength: -1}},
		{"a negative MaxBuffer is refused", filter.BlockOptions{MaxBuffer: -1}},
		{"a negative BlockSize is refused", filter.BlockOptions{BlockSize: -1}},
		{"BlockSize with a LengthCodec is refused", filter.BlockOptions{BlockSize: 2, LengthCodec: be32{}}},
		{"BlockSize with MaxLength is refused", filter.BlockOptions{BlockSize: 2, MaxLength: 2}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if c.o.Validate() == nil {
				t.Fatal("accepted")
			}
			mustPanic(t, func() { filter.NewBlock(c.o) })
		})
	}
	t.Run("a block over MaxLength is an error and the next block still comes", func(t *testing.T) {
		f := filter.NewBlock(filter.BlockOptions{MaxLength: 10})
		_, err := f.Get([]byte("134\x00a bunch of data here"))
		if err == nil || !strings.Contains(err.Error(), "block exceeds") || !errors.Is(err, filter.ErrBlockLength) {
			t.Fatalf("err %v", err)
		}
		recs, errs := getAll(f, append([]byte(strings.Repeat("z", 134-len("a bunch of data here"))), "2\x00ok"...))
		if len(errs) != 0 || !equal(recs, blocks("ok")) {
			t.Fatalf("recs %q errs %v", recs, errs)
		}
	})
	t.Run("a buffer over MaxBuffer is an error", func(t *testing.T) {
		f := filter.NewBlock(filter.BlockOptions{MaxBuffer: 10, MaxLength: 5})
		_, err := f.Get([]byte("134\x00a bunch of data here"))
		if err == nil || !strings.Contains(err.Error(), "buffer exceeds") {
			t.Fatalf("err %v", err)
		}
	})
}
