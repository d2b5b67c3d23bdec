package wheel

import (
	"errors"
	"io"
	"time"

	"github.com/poe-go/poe/poe/driver"
	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"golang.org/x/sys/unix"
)

// FollowTailOptions are POE::Wheel::FollowTail's parameters.
type FollowTailOptions struct {
	// Filename is the file to follow (Filename). A rotated or recreated
	// file is reopened, after the old one has been read to its end; a
	// file that does not exist yet is waited for. A file that is
	// unlinked is read to its end and dropped, as in POE, so lines
	// written to it afterwards are not delivered. Unlike POE, a file
	// renamed away is still read until a file appears at the name, so
	// the lines its writer adds before reopening the name are not lost.
	Filename string
	// Handle is a descriptor to follow when Filename is "" (Handle).
	Handle int
	// Driver reads the file (Driver); nil makes driver.NewSysRW(0).
	Driver Driver
	// Filter makes records (Filter); nil makes filter.NewLine().
	Filter filter.Filter
	// PollInterval is how often a regular file is checked (PollInterval);
	// 0 means one second. Pipes and sockets are watched instead.
	PollInterval time.Duration
	// The start: by default the end of the file (what is there is
	// skipped, but an unfinished last line is kept for the next write to
	// complete). Seek > 0 starts at that absolute offset, or at the end
	// when the file is shorter (Seek), SeekBack > 0 that many octets
	// before the end (SeekBack), FromStart at 0 (Seek => 0).
	Seek      int64
	SeekBack  int64
	FromStart bool

	// InputEvent receives each record: ARG0 the record, ARG1 the wheel ID.
	InputEvent string
	// ErrorEvent receives failures: ARG0 the operation, ARG1 the errno
	// as an int, ARG2 its text, ARG3 the wheel ID.
	ErrorEvent string
	// ResetEvent (ARG0 wheel ID) fires when the file was truncated or
	// replaced and is read again from its start.
	ResetEvent string
	// IdleEvent (ARG0 wheel ID) fires when a poll found nothing new.
	IdleEvent string
	// KeepOpen leaves Handle open on Close.
	KeepOpen bool
}

// FollowTail is POE::Wheel::FollowTail: it delivers the records appended
// to a file, as tail -F does. Regular files are polled with a delay,
// which keeps the session alive until Close; pipes and sockets are
// watched for reading.
type FollowTail struct {
	base
	filename string
	fd       int
	drv      Driver
	f        filter.Filter
	interval time.Duration
	offset   int64
	dev, ino uint64
	regular  bool
	watching bool
	keepOpen bool
	inputEv  string
	errorEv  string
	resetEv  string
	idleEv   string
	stPoll   string
}

// NewFollowTail is POE::Wheel::FollowTail->new, called from a handler of
// the session that will own the wheel. It fails when the file cannot be
// opened (other than by not existing yet) or examined.
func NewFollowTail(e *kernel.Event, o FollowTailOptions) (*FollowTail, error) {
	w := &FollowTail{filename: o.Filename, fd: o.Handle, drv: o.Driver, f: o.Filter,
		interval: o.PollInterval, keepOpen: o.KeepOpen && o.Filename == "",
		inputEv: o.InputEvent, errorEv: o.ErrorEvent, resetEv: o.ResetEvent, idleEv: o.IdleEvent}
	if o.Seek < 0 || o.SeekBack < 0 || (o.Seek > 0 && o.SeekBack > 0) {
		return nil, errors.New("wheel.FollowTail: Seek and SeekBack are exclusive and not negative")
	}
	if w.drv == nil {
		w.drv = driver.NewSysRW(0)
	}
	if w.f == nil {
		w.f = filter.NewLine()
	}
	if w.interval <= 0 {
		w.interval = time.Second
	}
	if w.filename != "" {
		fd, err := unix.Open(w.filename, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == unix.ENOENT {
			// As in POE, a file that does not exist yet is waited for and
			// read from its start once it appears.
			return w.newMissing(e)
		}
		if err != nil {
			return nil, &OpError{Op: "open", Errno: errnoOf(err)}
		}
		w.fd = fd
	}
	var st unix.Stat_t
	if err := unix.Fstat(w.fd, &st); err != nil {
		w.closeFd()
		return nil, &OpError{Op: "stat", Errno: errnoOf(err)}
	}
	w.regular = st.Mode&unix.S_IFMT == unix.S_IFREG
	w.dev, w.ino = uint64(st.Dev), uint64(st.Ino)
	if err := w.init(e, "FollowTail"); err != nil {
		w.closeFd()
		return nil, err
	}
	if !w.regular {
		if err := w.k.SelectRead(w.fd, w.state("select read", w.onReadable)); err != nil {
			w.Close()
			return nil, err
		}
		w.watching = true
		return w, nil
	}
	switch {
	case o.SeekBack > 0:
		w.offset = max(st.Size-o.SeekBack, 0)
	case o.Seek > 0:
		// POE starts at the end when Seek is beyond it; an offset past
		// the end would look like a truncation at the first poll.
		w.offset = min(o.Seek, st.Size)
	case o.FromStart:
		w.offset = 0
	default:
		w.offset = st.Size
		w.primeFilter()
	}
	if _, err := unix.Seek(w.fd, w.offset, io.SeekStart); err != nil {
		w.Close()
		return nil, &OpError{Op: "seek", Errno: errnoOf(err)}
	}
	w.stPoll = w.state("poll", w.onPoll)
	w.k.Delay(w.stPoll, 0)
	return w, nil
}

// newMissing makes the wheel for a file that does not exist yet: it polls
// until the file appears.
func (w *FollowTail) newMissing(e *kernel.Event) (*FollowTail, error) {
	w.fd, w.regular, w.keepOpen = -1, true, false
	if err := w.init(e, "FollowTail"); err != nil {
		return nil, err
	}
	w.stPoll = w.state("poll", w.onPoll)
	w.k.Delay(w.stPoll, 0)
	return w, nil
}

// primeFilter gives the filter the file's last 4 KiB and discards the
// records it makes, as POE's default start does, so that an unfinished
// last line stays in the filter and the next write completes it.
func (w *FollowTail) primeFilter() {
	const tail = 4096
	start := max(w.offset-tail, 0)
	buf := make([]byte, w.offset-start)
	n, err := unix.Pread(w.fd, buf, start)
	if err != nil || n <= 0 {
		return
	}
	w.f.GetOneStart(buf[:n])
	for range tail + 1 { // bounded: a failing filter consumes its input
		if _, ok, err := w.f.GetOne(); !ok && err == nil {
			return
		}
	}
}

func (w *FollowTail) closeFd() {
	if w.fd >= 0 && !w.keepOpen {
		unix.Close(w.fd)
	}
	w.fd = -1
}

// onPoll reads what was appended, then looks for rotation and truncation.
func (w *FollowTail) onPoll(*kernel.Event) any {
	if w.closed {
		return nil
	}
	got := false
	if w.fd >= 0 {
		got = w.readToEnd()
		if w.filename != "" && !w.closed && w.replaced() {
			got = w.readToEnd() || got // whatever reached the old file last
			w.closeFd()
		}
	}
	if w.filename != "" && w.fd < 0 && !w.closed && w.reopen() {
		// Not there when the wheel was made, dropped, or replaced: read
		// the file at the name from its start.
		w.reset()
		got = w.readToEnd() || got
	}
	var st unix.Stat_t
	if !w.closed && w.fd >= 0 && unix.Fstat(w.fd, &st) == nil && st.Size < w.offset {
		if _, err := unix.Seek(w.fd, 0, io.SeekStart); err == nil {
			w.offset = 0
			w.reset()
			got = w.readToEnd() || got
		}
	}
	if w.closed {
		return nil
	}
	if !got && w.idleEv != "" {
		w.k.Call(w.s, w.idleEv, w.idBox)
	}
	if !w.closed {
		w.k.Delay(w.stPoll, w.interval)
	}
	return nil
}

func (w *FollowTail) reset() {
	if w.resetEv != "" && !w.closed {
		w.k.Call(w.s, w.resetEv, w.idBox)
	}
}

// replaced reports whether the file read is done with, by one look at
// the name: the name now names another file (rotated), or it is gone with
// the file (unlinked: POE drops such a file, so what is written to it
// later is not delivered and its space is not held). A file renamed away
// still has a name and is read on until a file appears at the name.
func (w *FollowTail) replaced() bool {
	var st unix.Stat_t
	switch err := unix.Stat(w.filename, &st); err {
	case nil:
		return uint64(st.Dev) != w.dev || uint64(st.Ino) != w.ino
	case unix.ENOENT:
		return unix.Fstat(w.fd, &st) == nil && st.Nlink == 0
	}
	return false
}

// reopen switches to the file now at the name, from its start.
func (w *FollowTail) reopen() bool {
	fd, err := unix.Open(w.filename, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return false // perhaps not there yet; the next poll tries again
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return false
	}
	if w.fd >= 0 {
		unix.Close(w.fd)
	}
	w.fd, w.offset = fd, 0
	w.dev, w.ino = uint64(st.Dev), uint64(st.Ino)
	return true
}

// readToEnd reads until end of file, delivering records, and reports
// whether anything was read.
func (w *FollowTail) readToEnd() bool {
	got := false
	for !w.closed {
		data, err := w.drv.Get(w.fd)
		if len(data) > 0 {
			got = true
			w.offset += int64(len(data))
			w.f.GetOneStart(data)
			w.deliver()
		}
		if err == io.EOF || (err == nil && len(data) == 0) {
			break
		}
		if err != nil {
			w.fail(w.errorEv, &OpError{Op: "read", Errno: errnoOf(err)})
			break
		}
	}
	return got
}

// onReadable reads a pipe or socket.
func (w *FollowTail) onReadable(*kernel.Event) any {
	if w.closed || !w.watching {
		return nil
	}
	data, err := w.drv.Get(w.fd)
	if len(data) > 0 {
		w.offset += int64(len(data))
		w.f.GetOneStart(data)
		w.deliver()
	}
	if err != nil && !w.closed {
		oe := &OpError{Op: "read"}
		if err != io.EOF {
			oe.Errno = errnoOf(err)
		}
		w.watching = false
		w.k.SelectRead(w.fd, "")
		w.fail(w.errorEv, oe)
	}
	return nil
}

func (w *FollowTail) deliver() {
	for faults := 0; !w.closed; {
		rec, ok, err := w.f.GetOne()
		if err != nil {
			w.fail(w.errorEv, &OpError{Op: "read", Errno: unix.EBADMSG, Err: err})
			if faults++; faults > 64 {
				return
			}
			continue
		}
		if !ok {
			return
		}
		if w.inputEv != "" {
			w.k.Call(w.s, w.inputEv, rec, w.idBox)
		}
	}
}

// Tell is POE's tell: the offset in the file up to which the wheel has
// read.
func (w *FollowTail) Tell() int64 { return w.offset }

// Event is POE's event method: it renames InputEvent, ErrorEvent,
// ResetEvent and IdleEvent, given as name, state pairs; an empty name
// disables the event, except InputEvent: an empty one is refused and the
// old one kept, as POE ignores an undef InputEvent.
func (w *FollowTail) Event(pairs ...string) error {
	return renameEvents("FollowTail", pairs,
		eventParam{"InputEvent", &w.inputEv, true}, eventParam{"ErrorEvent", &w.errorEv, false},
		eventParam{"ResetEvent", &w.resetEv, false}, eventParam{"IdleEvent", &w.idleEv, false})
}

// Close is POE's deletion of the wheel: it stops polling or watching and
// closes the file (a Handle given with KeepOpen stays open).
func (w *FollowTail) Close() {
	w.closeVia(func() {
		if w.watching {
			w.k.SelectRead(w.fd, "")
			w.watching = false
		}
		if w.stPoll != "" {
			w.k.Delay(w.stPoll, -1)
		}
		w.closeFd()
	})
}
