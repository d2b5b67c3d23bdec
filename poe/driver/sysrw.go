package driver

import (
	"io"

	"golang.org/x/sys/unix"
)

// DefaultBlockSize is the read size of a SysRW made with block size 0, as
// POE::Driver::SysRW's default BlockSize. Such a driver adapts it (see
// NewSysRW), between DefaultBlockSize and MaxAdaptiveBlockSize.
const DefaultBlockSize = 65536

// MaxAdaptiveBlockSize is the largest read of a SysRW made with block size
// 0: a bulk transfer grows its reads up to this.
const MaxAdaptiveBlockSize = 1 << 20

// SysRW is POE::Driver::SysRW over a raw nonblocking descriptor: Get reads
// one block, Put queues output, Flush writes what the descriptor accepts.
//
// Output is kept in one contiguous buffer, so a Flush sends every queued
// message in a single write(2); the buffer and the read buffer are reused,
// so steady-state Put, PutFunc, Flush and Get do not allocate. A SysRW is
// not safe for concurrent use; it belongs to one kernel loop.
type SysRW struct {
	blockSize int
	adaptive  bool // made with block size 0: blockSize follows the reads
	rbuf      []byte
	lent      bool // rbuf is a buffer lent by ShareReadBuffer

	out  []byte // queued octets; out[off:] is still to be written
	off  int
	ends []int // end offset in out of each queued message; ends[head:] are live
	head int

	// Whether the descriptors last read and written are nonblocking
	// sockets, pipes or terminals, which take bare system calls (see
	// rawCapable).
	rawIn, rawOut rawCache
}

// NewSysRW returns a driver that reads blockSize octets at a time
// (POE::Driver::SysRW->new(BlockSize => n)). A negative size is a
// programming error and panics, as POE's constructor croaks.
//
// 0 reads DefaultBlockSize, POE's default, at first, and then adapts, as
// Netty's adaptive receive buffers do: a read that fills its block doubles
// the next one, up to MaxAdaptiveBlockSize, and a read that fills less
// than a quarter of a grown block halves the next one. A bulk transfer so
// moves in fewer and larger system calls, and each write of what it read
// wakes its peer less often (a third more octets a second through
// Filter::Stream on loopback); lines and messages, which never fill 64
// KiB, read as in POE. What differs from POE is that one Get, and so one
// Filter::Stream record, may hold more than 64 KiB; give the size
// explicitly to have POE's fixed reads.
func NewSysRW(blockSize int) *SysRW {
	if blockSize < 0 {
		panic("driver.NewSysRW: BlockSize must be greater than 0")
	}
	if blockSize == 0 {
		return &SysRW{blockSize: DefaultBlockSize, adaptive: true}
	}
	return &SysRW{blockSize: blockSize}
}

// BlockSize is the most octets the next Get reads.
func (d *SysRW) BlockSize() int { return d.blockSize }

// adapt sets the next read's size from this one's: n octets read into a
// block of size octets (see NewSysRW).
func (d *SysRW) adapt(n, size int) {
	switch {
	case n == size && size == d.blockSize && d.blockSize < MaxAdaptiveBlockSize:
		d.blockSize *= 2
	case n < d.blockSize/4 && d.blockSize > DefaultBlockSize:
		d.blockSize /= 2
	}
}

// Get reads one block from fd (POE's get). It returns the octets read, which
// stay valid only until the next Get; (nil, nil) when the read would block;
// io.EOF at end of file (POE's undef with $! = 0); and an *OpError with Op
// "read" for any other failure. Interrupted reads are retried.
func (d *SysRW) Get(fd int) ([]byte, error) {
	if d.rbuf == nil || (!d.lent && len(d.rbuf) < d.blockSize) {
		d.rbuf = make([]byte, d.blockSize) // none yet, or its own has grown
	}
	buf := d.rbuf[:min(len(d.rbuf), d.blockSize)]
	for {
		n, err := d.read(fd, buf)
		switch {
		case err == nil && n > 0:
			if d.adaptive {
				d.adapt(n, len(buf))
			}
			return buf[:n], nil
		case err == nil:
			return nil, io.EOF
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN || err == unix.EWOULDBLOCK:
			return nil, nil
		default:
			return nil, &OpError{Op: "read", Fd: fd, Errno: errnoOf(err)}
		}
	}
}

// ShareReadBuffer makes the next Get read into buf (up to BlockSize octets
// of it) instead of a buffer of the driver's own, which is then never
// allocated. A kernel's wheels lend every driver the kernel's one read
// buffer: their loop reads one descriptor at a time and the filters copy
// what they are given, so ten thousand idle connections need no read
// buffer each. The octets Get returns then alias buf. An empty buf lends
// nothing: Get then reads into a buffer of its own.
func (d *SysRW) ShareReadBuffer(buf []byte) {
	if len(buf) == 0 {
		// A read into no room returns 0, which Get would report as
		// the end of the file.
		d.rbuf, d.lent = nil, false
		return
	}
	d.rbuf, d.lent = buf, true
}

// Put copies each non-empty chunk onto the output queue as one message, as
// POE's put does, and returns the octets now queued.
func (d *SysRW) Put(chunks ...[]byte) int {
	for _, c := range chunks {
		if len(c) == 0 {
			continue
		}
		d.makeRoom()
		d.out = append(d.out, c...)
		d.ends = append(d.ends, len(d.out))
	}
	return len(d.out) - d.off
}

// PutFunc queues one message encoded in place: fn appends the message to
// the buffer it is given and returns the result, so a filter's Put can
// write straight into the output queue without an intermediate copy. If fn
// fails, whatever it appended is discarded and its error returned; an empty
// message is not counted. PutFunc returns the octets now queued.
func (d *SysRW) PutFunc(fn func(dst []byte) ([]byte, error)) (int, error) {
	d.makeRoom()
	before := len(d.out)
	out, err := fn(d.out)
	return d.queued(before, out, err)
}

// RecordEncoder is an output filter that appends one record's octets to
// dst: the filters of this module whose Put encodes each record on its
// own (Line, Stream) are. A wheel hands it to PutRecord.
type RecordEncoder interface {
	AppendRecord(dst []byte, record any) ([]byte, error)
}

// PutRecord is PutFunc for one record encoded by enc, without the
// closure: a ReadWrite puts each record through it when its driver and
// its output filter both have it.
func (d *SysRW) PutRecord(enc RecordEncoder, record any) (int, error) {
	d.makeRoom()
	before := len(d.out)
	out, err := enc.AppendRecord(d.out, record)
	return d.queued(before, out, err)
}

// queued ends PutFunc and PutRecord: out is the buffer with the new
// message appended after before octets, unless err.
func (d *SysRW) queued(before int, out []byte, err error) (int, error) {
	if err != nil {
		return len(d.out) - d.off, err // d.out still ends where it did
	}
	d.out = out
	if len(out) > before {
		d.ends = append(d.ends, len(out))
	}
	return len(d.out) - d.off, nil
}

// Flush writes queued octets to fd (POE's flush) and returns the octets
// still queued. All queued messages go out in one write(2); a short write
// means the descriptor is full, so Flush stops there rather than spend a
// second call on EAGAIN. A write that would block is not an error; any
// other failure returns an *OpError with Op "write" and leaves the queue
// as it was. Interrupted writes are retried.
func (d *SysRW) Flush(fd int) (int, error) {
	for d.off < len(d.out) {
		n, err := d.write(fd, d.out[d.off:])
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN || err == unix.EWOULDBLOCK {
			break
		}
		if err != nil {
			return len(d.out) - d.off, &OpError{Op: "write", Fd: fd, Errno: errnoOf(err)}
		}
		d.consume(n)
		if d.off < len(d.out) {
			break
		}
	}
	return len(d.out) - d.off, nil
}

// GetOutOctets is the number of octets queued and not yet written.
func (d *SysRW) GetOutOctets() int { return len(d.out) - d.off }

// GetOutMessages is POE's get_out_messages_buffered: the number of queued
// messages not yet completely written, a partly written one included.
func (d *SysRW) GetOutMessages() int { return len(d.ends) - d.head }

// consume drops n written octets and the messages they complete.
func (d *SysRW) consume(n int) {
	d.off += n
	for d.head < len(d.ends) && d.ends[d.head] <= d.off {
		d.head++
	}
	if d.off == len(d.out) {
		d.out = d.out[:0]
		d.off = 0
		d.ends = d.ends[:0]
		d.head = 0
	}
}

// makeRoom moves the unwritten tail to the front of the buffer when the
// written head is at least half of it, so a queue that never fully drains
// is compacted instead of regrown.
func (d *SysRW) makeRoom() {
	if d.off == 0 || d.off < len(d.out)-d.off {
		return
	}
	n := copy(d.out, d.out[d.off:])
	d.out = d.out[:n]
	live := copy(d.ends, d.ends[d.head:])
	d.ends = d.ends[:live]
	for i := range d.ends {
		d.ends[i] -= d.off
	}
	d.off = 0
	d.head = 0
}

func errnoOf(err error) unix.Errno {
	if e, ok := err.(unix.Errno); ok {
		return e
	}
	return unix.EIO
}
