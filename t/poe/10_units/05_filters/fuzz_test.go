package filters_test

import (
	"bytes"
	"reflect"
	"slices"
	"testing"

	"github.com/poe-go/poe/poe/filter"
)

// chunked splits data into pieces whose lengths come from cuts.
func chunked(data, cuts []byte) [][]byte {
	var out [][]byte
	for i := 0; len(data) > 0; i++ {
		n := len(data)
		if len(cuts) > 0 {
			n = min(1+int(cuts[i%len(cuts)])%24, len(data))
		}
		out = append(out, data[:n])
		data = data[n:]
	}
	return out
}

// fuzzSame checks that data read whole and read in pieces give the same
// records, that nothing panics, and that the buffer never holds more than
// bound octets plus the piece just fed.
func fuzzSame(t *testing.T, mk func() filter.Filter, data, cuts []byte, bound int) {
	whole, _ := getAll(mk(), data)
	f := mk()
	var pieces []any
	for _, c := range chunked(data, cuts) {
		recs, _ := getAll(f, c)
		pieces = append(pieces, recs...)
		if n := len(f.GetPending()); n > bound+len(c) {
			t.Fatalf("buffer holds %d octets, bound %d", n, bound+len(c))
		}
	}
	if !reflect.DeepEqual(whole, pieces) {
		t.Fatalf("whole %q, in pieces %q", whole, pieces)
	}
}

// lineOptions are the chunk-independent modes of Line, with small limits.
var lineOptions = []filter.LineOptions{
	{Literal: "\r\n", MaxLength: 16, MaxBuffer: 32},
	{Autodetect: true, MaxLength: 16, MaxBuffer: 32},
	{Literal: "\n", MaxLength: 16, MaxBuffer: 32},
}

// FuzzLineGet checks Line in its chunk-independent modes; the default mode
// is chunk-dependent by design (a split CR LF), so it is only checked not
// to panic and to stay bounded. In every mode, a borrowing Line fed the
// same pieces gives the same lines and errors.
func FuzzLineGet(f *testing.F) {
	f.Add([]byte("one\r\ntwo\r\n\r\nthree"), []byte{0, 3, 7})
	f.Add([]byte("a\rb\nc\r\nd\n\re"), []byte{1})
	f.Add([]byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nok\n"), []byte{5, 9})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		for _, o := range lineOptions {
			fuzzSame(t, func() filter.Filter { return filter.NewLine(o) }, data, cuts, 17)
		}
		d := filter.NewLine(filter.LineOptions{MaxLength: 16, MaxBuffer: 32})
		for _, c := range chunked(data, cuts) {
			getAll(d, c)
			if n := len(d.GetPending()); n > 16+len(c) {
				t.Fatalf("default mode buffers %d", n)
			}
		}
		for _, o := range append(lineOptions, filter.LineOptions{MaxLength: 16, MaxBuffer: 32}) {
			plain := filter.NewLine(o)
			o.Borrow = true
			borrowing := filter.NewLine(o)
			for _, c := range chunked(data, cuts) {
				want, wantErrs := plainLines(t, plain, c)
				got, gotErrs := borrowedLines(t, borrowing, c)
				if !slices.Equal(got, want) || gotErrs != wantErrs {
					t.Fatalf("%+v: borrowed %q with %d errors, want %q with %d", o, got, gotErrs, want, wantErrs)
				}
			}
		}
	})
}

// FuzzReferenceGet checks Reference framing with a JSON payload, plain and
// compressed.
func FuzzReferenceGet(f *testing.F) {
	f.Add([]byte("3\x00\"a\"0002\x00[]"), []byte{0})
	f.Add([]byte("HELLO\r\n12x3\x00\"a\"99999\x00abc"), []byte{2, 1})
	f.Add([]byte("00000000000000000000000000000000000000000000000000000000000000000000001\x001"), []byte{7})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		for _, z := range []bool{false, true} {
			fuzzSame(t, func() filter.Filter {
				return newRef(filter.ReferenceOptions{Compression: z, MaxFrame: 64, MaxBuffer: 128})
			}, data, cuts, 64+66)
		}
	})
}

// FuzzBlockGet checks Block in both modes.
func FuzzBlockGet(f *testing.F) {
	f.Add([]byte("1\x00a2\x00bcxyz3\x00def"), []byte{0, 2})
	f.Add([]byte("134\x00a bunch of data here"), []byte{1})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzzSame(t, func() filter.Filter { return filter.NewBlock(filter.BlockOptions{MaxLength: 32, MaxBuffer: 64}) }, data, cuts, 32+66)
		fuzzSame(t, func() filter.Filter { return filter.NewBlock(filter.BlockOptions{BlockSize: 3}) }, data, cuts, 3)
	})
}

// FuzzStreamGet checks that Stream gives back every octet, in order,
// through get and through get_one_start and get_one chosen piece by
// piece, with some pieces read more than once before get_one; and that
// no record changes afterwards, though the reader's buffer is reused and
// large records are handed over as the filter's own buffer. Each piece
// is repeated by a factor taken from cuts, so that records cross the
// size where the filter stops copying. A borrowing Stream goes through
// the same steps, its records copied as soon as they are taken, and the
// reader's buffer left alone while the filter may hold it.
func FuzzStreamGet(f *testing.F) {
	f.Add([]byte("abcdefghijklmno"), []byte{0, 1, 2})
	f.Add([]byte("0123456789"), []byte{200, 13, 255, 7, 128})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzzStream(t, data, cuts, false)
		fuzzStream(t, data, cuts, true)
	})
}

func fuzzStream(t *testing.T, data, cuts []byte, borrow bool) {
	t.Helper()
	s := filter.NewStream(filter.StreamOptions{Borrow: borrow})
	take := func(recs []any) []any {
		if borrow {
			for i, r := range recs {
				recs[i] = bytes.Clone(r.([]byte))
			}
		}
		return recs
	}
	var want []byte
	var recs []any
	buf := make([]byte, 0, 4096) // the reader's buffer, reused
	pending := 0
	for i, c := range chunked(data, cuts) {
		var op byte
		if len(cuts) > 0 {
			op = cuts[i%len(cuts)]
		}
		buf = append(buf[:0], bytes.Repeat(c, 1+int(op>>5)*40)...)
		want = append(want, buf...)
		switch op % 3 {
		case 0:
			got, err := s.Get(buf)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, take(got)...)
			pending = 0
		case 1: // get_one after every second read
			s.GetOneStart(buf)
			if pending++; pending == 2 {
				recs = append(recs, take(drainRecords(t, s))...)
				pending = 0
			}
		case 2:
			s.GetOneStart(buf)
			recs = append(recs, take(drainRecords(t, s))...)
			pending = 0
		}
		if borrow && pending > 0 {
			buf = nil // the filter holds it as it is: the next read gets another
			continue
		}
		for j := range buf {
			buf[j] = '#' // the next read overwrites the buffer
		}
	}
	if rest := s.GetPending(); rest != nil {
		recs = append(recs, rest)
	}
	var got []byte
	for _, r := range recs {
		got = append(got, r.([]byte)...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d octets %.40q, want %d %.40q", len(got), got, len(want), want)
	}
}
