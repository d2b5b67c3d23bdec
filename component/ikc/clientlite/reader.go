package clientlite

import (
	"bytes"
	"fmt"
	"io"
)

const (
	// readBlock is how much one read asks for: the block_size of Perl's
	// ClientLite (65535), rounded up.
	readBlock = 64 << 10
	// maxDigits bounds the length prefix of a frame; 20 digits hold any
	// length an int can express.
	maxDigits = 20
)

// reader splits the bytes of one connection into negotiation lines and
// then frames, from one buffer, so that bytes read past the last line
// are kept for the first frame (IKC spec 6.5).
type reader struct {
	r        io.Reader
	buf      []byte // buf[start:end] holds unread bytes
	start    int
	end      int
	maxFrame int
}

func newReader(r io.Reader, maxFrame int) *reader {
	return &reader{r: r, maxFrame: maxFrame}
}

// buffered returns the unread bytes.
func (rd *reader) buffered() []byte { return rd.buf[rd.start:rd.end] }

// fill reads once from the connection, making room for at least want more
// bytes beyond the buffered ones (and one read block).
func (rd *reader) fill(want int) error {
	if rd.start == rd.end {
		rd.start, rd.end = 0, 0
		if len(rd.buf) > 4*readBlock {
			rd.buf = nil // let a large frame's buffer go
		}
	}
	need := rd.end - rd.start + max(want, readBlock)
	if need > len(rd.buf) {
		limit := rd.maxFrame + maxDigits + 1 + readBlock
		nb := make([]byte, max(need, min(2*len(rd.buf), limit)))
		rd.end = copy(nb, rd.buf[rd.start:rd.end])
		rd.start, rd.buf = 0, nb
	} else if rd.start > 0 && len(rd.buf)-rd.end < max(want, readBlock) {
		rd.end = copy(rd.buf, rd.buf[rd.start:rd.end])
		rd.start = 0
	}
	n, err := rd.r.Read(rd.buf[rd.end:])
	rd.end += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// line returns the next negotiation line without its terminator. A line
// ends at LF, and one CR before it is dropped: Go and Perl servers write
// CR LF, and a lone LF is accepted too (Perl's ClientLite would time out).
func (rd *reader) line(maxLen int) (string, error) {
	for {
		b := rd.buffered()
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			rd.start += i + 1
			return string(bytes.TrimSuffix(b[:i], []byte{'\r'})), nil
		}
		if len(b) > maxLen {
			return "", fmt.Errorf("negotiation line longer than %d bytes", maxLen)
		}
		if err := rd.fill(0); err != nil {
			return "", err
		}
	}
}

// frame returns the payload of the next frame. The buffer must start with
// the ASCII digits of the payload length and a NUL: anything else is
// ErrFrame at once, where Perl's ClientLite would search the buffer for
// the first digits-NUL it finds and Perl's filter would stall. The
// payload is valid until the next call.
func (rd *reader) frame() ([]byte, error) {
	for {
		n, hdr, err := parseHeader(rd.buffered(), rd.maxFrame)
		if err != nil {
			return nil, err
		}
		if hdr > 0 && rd.end-rd.start >= hdr+n {
			p := rd.buf[rd.start+hdr : rd.start+hdr+n]
			rd.start += hdr + n
			return p, nil
		}
		want := 0
		if hdr > 0 {
			want = hdr + n - (rd.end - rd.start)
		}
		if err := rd.fill(want); err != nil {
			if err == io.EOF && rd.end > rd.start {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// parseHeader reads "<digits>\0" at the start of b. It returns the
// payload length and the header length, or hdr 0 when more bytes are
// needed to tell.
func parseHeader(b []byte, maxFrame int) (n, hdr int, err error) {
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if i >= maxDigits {
				return 0, 0, fmt.Errorf("%w: length prefix longer than %d digits", ErrFrame, maxDigits)
			}
			n = n*10 + int(c-'0')
			if n > maxFrame {
				return 0, 0, fmt.Errorf("%w: frame of %s+ bytes exceeds the limit of %d", ErrFrame, b[:i+1], maxFrame)
			}
		case c == 0 && i > 0:
			if n == 0 {
				return 0, 0, fmt.Errorf("%w: frame of length zero", ErrFrame)
			}
			return n, i + 1, nil
		default:
			return 0, 0, fmt.Errorf("%w: byte %q at offset %d of a frame header %q", ErrFrame, c, i, clip(b, 16))
		}
	}
	return 0, 0, nil
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
