package wheel

import (
	"errors"
	"io"
	"syscall"

	"github.com/poe-go/poe/poe/driver"
	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
)

// ReadWriteOptions are POE::Wheel::ReadWrite's parameters.
//
// Descriptors: Handle is used for input and output, unless InputHandle or
// OutputHandle is non-zero, in which case both are used (so InputHandle 0
// with OutputHandle 1 is standard input and output).
type ReadWriteOptions struct {
	Handle       int // Handle: one descriptor for both directions
	InputHandle  int // InputHandle
	OutputHandle int // OutputHandle

	// Driver is the I/O driver (Driver); nil makes driver.NewSysRW(0).
	Driver Driver
	// Filter is used both ways (Filter); InputFilter and OutputFilter
	// set each way (InputFilter, OutputFilter). Nil means a
	// filter.NewLine().
	Filter       filter.Filter
	InputFilter  filter.Filter
	OutputFilter filter.Filter

	// InputEvent receives each record: ARG0 the record, ARG1 the wheel
	// ID. Without it nothing is read.
	InputEvent string
	// ErrorEvent receives failures: ARG0 "read" or "write" ("put" when a
	// record cannot be encoded), ARG1 the errno as an int, ARG2 its text,
	// ARG3 the wheel ID. End of input is ("read", 0, ""). A filter's
	// error is ("read", EBADMSG, the filter's message). LastError gives
	// the same as an *OpError.
	ErrorEvent string
	// FlushedEvent (ARG0 wheel ID) fires when the output queue empties.
	FlushedEvent string

	// HighMark and LowMark (octets, both or neither) are the output
	// watermarks (HighMark, LowMark); HighEvent and LowEvent (ARG0 wheel
	// ID) fire when the queue crosses them while draining.
	HighMark, LowMark   int
	HighEvent, LowEvent string

	// AutoFlush writes at once inside Put when the queue was empty
	// (AutoFlush), instead of at the end of the round.
	AutoFlush bool
	// KeepOpen leaves the handles open on Close; by default the wheel
	// owns them, as a Perl wheel holding the last reference to a handle
	// closes it when deleted.
	KeepOpen bool
}

// ReadWrite is POE::Wheel::ReadWrite: it reads records from a descriptor
// through a driver and an input filter and delivers them to InputEvent,
// and writes the records given to Put through an output filter.
//
// Records put during one round of the loop (one I/O batch or one batch of
// due events) are encoded straight into the driver's queue and leave in
// one write(2) at the end of the round, or, when InputEvent put them,
// as soon as the records of that read have been delivered; what the
// descriptor does not take then is written when it becomes writable, as
// POE does.
type ReadWrite struct {
	base
	in, out        int
	drv            Driver
	inF, outF      filter.Filter
	inputEv        string
	errorEv        string
	flushedEv      string
	highEv, lowEv  string
	high, low      int
	highState      bool
	autoFlush      bool
	keepOpen       bool
	reading        bool // read watcher registered
	writing        bool // write watcher registered
	writePaused    bool
	flushQueued    bool
	delivering     bool // inside deliver: Event must not deliver again
	stRead, stWrit string
	afterFn        func()
	encFn          func([]byte) ([]byte, error)
	recPut         recordPutter         // drv, when it puts records without a closure
	recEnc         driver.RecordEncoder // outF, when it encodes a record on its own
	one            [1]any
	fdBox          any
}

// NewReadWrite is POE::Wheel::ReadWrite->new, called from a handler of the
// session that will own the wheel. It fails on inconsistent options or
// when the descriptors cannot be watched.
func NewReadWrite(e *kernel.Event, o ReadWriteOptions) (*ReadWrite, error) {
	w := &ReadWrite{in: o.Handle, out: o.Handle}
	if o.InputHandle != 0 || o.OutputHandle != 0 {
		if o.Handle != 0 {
			return nil, errors.New("wheel.ReadWrite: Handle cannot be combined with InputHandle or OutputHandle")
		}
		w.in, w.out = o.InputHandle, o.OutputHandle
	}
	if w.in < 0 || w.out < 0 {
		return nil, errors.New("wheel.ReadWrite: negative handle")
	}
	if o.Filter != nil && (o.InputFilter != nil || o.OutputFilter != nil) {
		return nil, errors.New("wheel.ReadWrite: Filter cannot be combined with InputFilter or OutputFilter")
	}
	if (o.HighMark > 0) != (o.LowMark > 0) || o.HighMark < 0 || o.LowMark < 0 {
		return nil, errors.New("wheel.ReadWrite: HighMark and LowMark go together and must be positive")
	}
	if o.HighMark > 0 && o.LowMark >= o.HighMark {
		return nil, errors.New("wheel.ReadWrite: LowMark must be below HighMark")
	}
	if err := w.init(e, "ReadWrite"); err != nil {
		return nil, err
	}
	w.drv = o.Driver
	if w.drv == nil {
		w.drv = driver.NewSysRW(0)
	}
	w.inF, w.outF = o.InputFilter, o.OutputFilter
	if o.Filter != nil {
		w.inF, w.outF = o.Filter, o.Filter
	}
	if w.inF == nil {
		w.inF = filter.NewLine()
	}
	if w.outF == nil {
		w.outF = filter.NewLine()
	}
	w.inputEv, w.errorEv, w.flushedEv = o.InputEvent, o.ErrorEvent, o.FlushedEvent
	w.high, w.low, w.highEv, w.lowEv = o.HighMark, o.LowMark, o.HighEvent, o.LowEvent
	w.autoFlush, w.keepOpen = o.AutoFlush, o.KeepOpen
	w.afterFn = w.afterDispatch
	w.encFn = w.encode
	w.recPut, _ = w.drv.(recordPutter)
	w.setOutputFilter(w.outF)
	w.fdBox = w.out

	w.stRead = w.state("select read", w.onRead)
	w.stWrit = w.state("select write", w.onWrite)
	if err := w.k.SelectWrite(w.out, w.stWrit); err != nil {
		w.Close()
		return nil, err
	}
	w.writing = true
	w.k.SelectPauseWrite(w.out)
	w.writePaused = true
	if err := w.defineRead(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// defineRead watches the input handle while there is an InputEvent, as
// POE's _define_read_state.
func (w *ReadWrite) defineRead() error {
	if w.in < 0 {
		return nil
	}
	if w.inputEv == "" {
		if w.reading {
			w.reading = false
			return w.k.SelectRead(w.in, "")
		}
		return nil
	}
	if w.reading {
		return nil
	}
	if err := w.k.SelectRead(w.in, w.stRead); err != nil {
		return err
	}
	w.reading = true
	return nil
}

// onRead is the read watcher: one block through the input filter, each
// record delivered by a synchronous call. What the handlers put in reply
// is written as soon as every record of the block has been delivered,
// still with one write(2) for all of it: a request's answer leaves
// without waiting for the rest of the round, which cuts the server's
// share of a ping-pong round trip from about 380 to 250 ns, and the
// round trips a second by a tenth (echo c1 d1).
func (w *ReadWrite) onRead(*kernel.Event) any {
	if w.closed || !w.reading {
		return nil
	}
	if d, ok := w.drv.(*driver.SysRW); ok {
		d.ShareReadBuffer(w.k.ReadBuffer(d.BlockSize()))
	}
	data, err := w.drv.Get(w.in)
	if len(data) > 0 {
		w.inF.GetOneStart(data)
		w.deliver()
		if w.flushQueued {
			w.flushQueued = false // afterDispatch, still registered, does nothing
			w.onWrite(nil)        // in the owner, as the read watcher is
		}
	}
	if err != nil && !w.closed {
		oe := &OpError{Op: "read"}
		if err != io.EOF {
			oe.Errno = errnoOf(err)
		}
		w.fail(w.errorEv, oe)
		if !w.closed && w.reading && w.owner() {
			w.reading = false
			w.k.SelectRead(w.in, "")
		}
	}
	return nil
}

// deliver calls InputEvent with every record the input filter holds,
// re-reading the filter each time so that a handler may switch it.
func (w *ReadWrite) deliver() {
	w.delivering = true
	defer func() { w.delivering = false }()
	for faults := 0; !w.closed && w.inputEv != ""; {
		rec, ok, err := w.inF.GetOne()
		if err != nil {
			w.fail(w.errorEv, &OpError{Op: "read", Errno: syscall.EBADMSG, Err: err})
			if faults++; faults > 64 {
				return // a filter that makes no progress must not spin the loop
			}
			continue
		}
		if !ok {
			return
		}
		w.k.Call(w.s, w.inputEv, rec, w.idBox)
	}
}

// Put is POE's put: it encodes records through the output filter into the
// driver's queue, to be written at the end of this round, or, put by
// InputEvent, as soon as the records of its read are delivered (at once
// with AutoFlush). It returns true when the queued octets reach HighMark.
// A record the filter refuses is dropped and posted to ErrorEvent as
// ("put", EINVAL, text).
func (w *ReadWrite) Put(records ...any) bool {
	if w.closed || !w.writing {
		return false
	}
	before := w.drv.GetOutOctets()
	after := before
	if w.recPut != nil && w.recEnc != nil {
		for _, r := range records {
			var err error
			if after, err = w.recPut.PutRecord(w.recEnc, r); err != nil {
				w.putFailed(err)
			}
		}
	} else {
		for _, r := range records {
			w.one[0] = r
			var err error
			if after, err = w.drv.PutFunc(w.encFn); err != nil {
				w.putFailed(err)
			}
		}
		w.one[0] = nil
	}
	if after > 0 && before == 0 {
		if w.autoFlush {
			left, err := w.drv.Flush(w.out)
			if err != nil || left == 0 {
				w.scheduleFlush() // report the error or the flush in this round
			} else {
				w.resumeWrite()
			}
			after = left
		} else {
			w.scheduleFlush()
		}
	}
	w.highState = w.high > 0 && after >= w.high
	return w.highState
}

func (w *ReadWrite) encode(dst []byte) ([]byte, error) { return w.outF.Put(dst, w.one[:]...) }

// recordPutter is a driver that puts one record through a RecordEncoder
// (driver.SysRW's PutRecord).
type recordPutter interface {
	PutRecord(enc driver.RecordEncoder, record any) (int, error)
}

// setOutputFilter makes f the output filter, and its RecordEncoder, if
// it is one, what Put encodes each record with.
func (w *ReadWrite) setOutputFilter(f filter.Filter) {
	w.outF = f
	w.recEnc, _ = f.(driver.RecordEncoder)
}

func (w *ReadWrite) putFailed(err error) {
	oe := &OpError{Wheel: w.id, Op: "put", Errno: syscall.EINVAL, Err: err}
	w.last = oe
	if w.errorEv != "" {
		w.k.Post(w.s, w.errorEv, oe.Op, int(oe.Errno), oe.Text(), w.idBox)
	}
}

func (w *ReadWrite) scheduleFlush() {
	if w.k.GetActiveSession().IsKernel() {
		// Outside any handler (before Run, or between timeslices) no
		// round is ending: let writability wake the loop, as POE does.
		w.resumeWrite()
		return
	}
	if !w.flushQueued {
		w.flushQueued = true
		w.k.AfterDispatch(w.afterFn)
	}
}

// afterDispatch writes a round's output: it runs the write watcher's state
// in the owning session, as POE's flush method does.
func (w *ReadWrite) afterDispatch() {
	if !w.flushQueued {
		return // written already, by the read watcher
	}
	w.flushQueued = false
	if w.closed || !w.writing {
		return
	}
	w.k.Call(w.s, w.stWrit, w.fdBox, kernel.ModeWrite)
}

func (w *ReadWrite) resumeWrite() {
	if w.writePaused {
		w.writePaused = false
		w.k.SelectResumeWrite(w.out)
	}
}

// onWrite is the write watcher, in POE's order: flush; on error
// ErrorEvent and stop writing; else the low or high watermark event; then,
// with the queue empty, pause writing and FlushedEvent.
func (w *ReadWrite) onWrite(*kernel.Event) any {
	if w.closed || !w.writing {
		return nil
	}
	left, err := w.drv.Flush(w.out)
	if err != nil {
		w.fail(w.errorEv, &OpError{Op: "write", Errno: errnoOf(err)})
		if !w.closed && w.writing {
			w.writing = false
			w.k.SelectWrite(w.out, "")
		}
		return nil
	}
	if left > 0 {
		w.resumeWrite()
	}
	if w.highState {
		if left <= w.low {
			w.highState = false
			w.callIf(w.lowEv)
		}
	} else if w.high > 0 && left >= w.high {
		w.highState = true
		w.callIf(w.highEv)
	}
	if left == 0 && !w.closed && w.writing {
		if !w.writePaused {
			w.writePaused = true
			w.k.SelectPauseWrite(w.out)
		}
		w.callIf(w.flushedEv)
	}
	return nil
}

func (w *ReadWrite) callIf(event string) {
	if event != "" && !w.closed {
		w.k.Call(w.s, event, w.idBox)
	}
}

// Flush is POE's flush: a synchronous attempt to write the queue, with the
// events a write watcher would send.
func (w *ReadWrite) Flush() {
	if !w.closed && w.writing {
		// The end of the round has nothing left to flush: without this
		// it would send a second FlushedEvent, which POE's paused write
		// watcher does not.
		w.flushQueued = false
		w.k.Call(w.s, w.stWrit, w.fdBox, kernel.ModeWrite)
	}
}
