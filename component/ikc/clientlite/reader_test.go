package clientlite

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestFrameHeaders(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		err      error
	}{
		{"one frame", "5\x00hello", []string{"hello"}, io.EOF},
		{"leading zeros are accepted as Perl does", "0005\x00hello", []string{"hello"}, io.EOF},
		{"frames back to back", "1\x00a2\x00bc", []string{"a", "bc"}, io.EOF},
		{"a negotiation CR LF left before a frame is an error", "\r\n1\x00a", nil, ErrFrame},
		{"a non-digit prefix is an error, not a search", "abc\x005\x00hello", nil, ErrFrame},
		{"a sign is an error", "+5\x00hello", nil, ErrFrame},
		{"a NUL without digits is an error", "\x00", nil, ErrFrame},
		{"length zero is an error", "0\x00", nil, ErrFrame},
		{"a length over the limit is an error before reading the payload", "1025\x00", nil, ErrFrame},
		{"too many digits is an error", strings.Repeat("0", 21) + "1\x00x", nil, ErrFrame},
		{"a truncated payload", "5\x00hel", nil, io.ErrUnexpectedEOF},
		{"a truncated header", "12", nil, io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
				rd := newReader(r, 1024)
				var got []string
				var err error
				for {
					var p []byte
					if p, err = rd.frame(); err != nil {
						break
					}
					got = append(got, string(p))
				}
				if !errors.Is(err, tc.err) || strings.Join(got, "|") != strings.Join(tc.want, "|") {
					t.Errorf("frames %q, err %v; want %q, %v", got, err, tc.want, tc.err)
				}
			}
		})
	}
}

func TestLinesThenFramesShareTheBuffer(t *testing.T) {
	in := "SETUP KERNEL=k;FREEZER=Storable;PID=1\r\nUP\n3\x00abc"
	rd := newReader(strings.NewReader(in), 1024)
	for _, want := range []string{"SETUP KERNEL=k;FREEZER=Storable;PID=1", "UP"} {
		if l, err := rd.line(100); err != nil || l != want {
			t.Fatalf("line %q, %v; want %q", l, err, want)
		}
	}
	if p, err := rd.frame(); err != nil || string(p) != "abc" {
		t.Fatalf("frame %q, %v", p, err)
	}
	if _, err := newReader(strings.NewReader(strings.Repeat("x", 200)), 1024).line(100); err == nil {
		t.Error("an overlong line was accepted")
	}
}

func TestLargeFramesAcrossReads(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789"), 1<<17) // 1.25 MiB
	in := append([]byte("1310720\x00"), payload...)
	in = append(in, "1\x00z"...)
	rd := newReader(iotest.HalfReader(bytes.NewReader(in)), DefaultMaxFrame)
	if p, err := rd.frame(); err != nil || !bytes.Equal(p, payload) {
		t.Fatalf("large frame: %d bytes, %v", len(p), err)
	}
	if p, err := rd.frame(); err != nil || string(p) != "z" {
		t.Fatalf("next frame %q, %v", p, err)
	}
}

// FuzzFrameReader feeds arbitrary bytes, in arbitrary read sizes, to the
// frame reader: it must never panic, every frame it returns must be the
// payload its header announced, and its buffer stays bounded by the frame
// limit.
func FuzzFrameReader(f *testing.F) {
	for _, s := range []string{"5\x00hello", "0005\x00hello1\x00a", "abc\x00", "0\x00", "99999999999999999999999\x00", "", "7\x00abc"} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		const limit = 4096
		r := &chunkReader{b: in, n: int(chunk%16) + 1}
		rd := newReader(r, limit)
		for {
			p, err := rd.frame()
			if len(rd.buf) > 2*(limit+maxDigits+1+readBlock) {
				t.Fatalf("buffer grew to %d", len(rd.buf))
			}
			if err != nil {
				return
			}
			if len(p) == 0 || len(p) > limit {
				t.Fatalf("frame of %d bytes", len(p))
			}
		}
	})
}

type chunkReader struct {
	b []byte
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[n:]
	return n, nil
}
