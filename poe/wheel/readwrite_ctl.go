package wheel

import (
	"errors"
	"fmt"

	"github.com/poe-go/poe/poe/filter"
	"golang.org/x/sys/unix"
)

// Event is POE's event method: it renames the wheel's events at run time,
// given as pairs of parameter name and state, e.g.
// Event("InputEvent", "got_line", "ErrorEvent", ""). An empty state
// disables the event; an empty InputEvent stops reading, and the records
// the input filter still holds then go to the next InputEvent given, at
// once. The names are InputEvent, ErrorEvent, FlushedEvent, HighEvent and
// LowEvent.
func (w *ReadWrite) Event(pairs ...string) error {
	wasOff := w.inputEv == ""
	if err := renameEvents("ReadWrite", pairs,
		eventParam{"InputEvent", &w.inputEv, false}, eventParam{"ErrorEvent", &w.errorEv, false},
		eventParam{"FlushedEvent", &w.flushedEv, false}, eventParam{"HighEvent", &w.highEv, false},
		eventParam{"LowEvent", &w.lowEv, false}); err != nil {
		return err
	}
	if w.closed {
		return nil
	}
	if err := w.defineRead(); err != nil {
		return err
	}
	if wasOff && w.inputEv != "" && !w.delivering {
		// Records the filter made before InputEvent was switched off go
		// to the new InputEvent now: waiting for the next read could wait
		// for ever when the peer waits for their answer. (POE goes on
		// calling the undefined event with them, and they are lost.)
		w.deliver()
	}
	return nil
}

// SetFilter is POE's set_filter: f becomes the input and output filter.
// What the old input filter had not made into records yet is fed to f and
// the records it makes are delivered at once.
func (w *ReadWrite) SetFilter(f filter.Filter) {
	w.setOutputFilter(f)
	w.SetInputFilter(f)
}

// SetInputFilter is POE's set_input_filter: like SetFilter for input only.
func (w *ReadWrite) SetInputFilter(f filter.Filter) {
	pending := w.inF.GetPending()
	w.inF = f
	if len(pending) == 0 {
		return
	}
	f.GetOneStart(pending)
	// Deliver until the records are exhausted or a handler switches again,
	// in which case the newer filter has taken the rest.
	for faults := 0; w.inF == f && !w.closed && w.inputEv != ""; {
		rec, ok, err := f.GetOne()
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
		w.k.Call(w.s, w.inputEv, rec, w.idBox)
	}
}

// SetOutputFilter is POE's set_output_filter: later Puts use f. Octets
// already queued are sent as they were encoded.
func (w *ReadWrite) SetOutputFilter(f filter.Filter) { w.setOutputFilter(f) }

// GetInputFilter is POE's get_input_filter.
func (w *ReadWrite) GetInputFilter() filter.Filter { return w.inF }

// GetOutputFilter is POE's get_output_filter.
func (w *ReadWrite) GetOutputFilter() filter.Filter { return w.outF }

// GetDriverOutOctets is POE's get_driver_out_octets: octets queued and not
// yet written.
func (w *ReadWrite) GetDriverOutOctets() int { return w.drv.GetOutOctets() }

// GetDriverOutMessages is POE's get_driver_out_messages: records queued
// and not yet completely written.
func (w *ReadWrite) GetDriverOutMessages() int { return w.drv.GetOutMessages() }

// GetInputHandle is POE's get_input_handle, or -1 after Close.
func (w *ReadWrite) GetInputHandle() int { return w.in }

// GetOutputHandle is POE's get_output_handle, or -1 after Close.
func (w *ReadWrite) GetOutputHandle() int { return w.out }

// SetHighMark is POE's set_high_mark. As in POE, the marks must have
// been given to NewReadWrite and the high mark must stay above the low
// one; otherwise the mark is left as it was and an error returned (POE
// carps and ignores it), since crossed marks would send LowEvent while
// the queue is still above the high mark.
func (w *ReadWrite) SetHighMark(n int) error {
	if w.high == 0 {
		return errors.New("wheel.ReadWrite: SetHighMark needs HighMark and LowMark from NewReadWrite")
	}
	if n <= w.low {
		return fmt.Errorf("wheel.ReadWrite: high mark %d would not be above the low mark %d", n, w.low)
	}
	w.high = n
	return nil
}

// SetLowMark is POE's set_low_mark: like SetHighMark, it refuses a mark
// that would not be above zero and below the high mark.
func (w *ReadWrite) SetLowMark(n int) error {
	if w.high == 0 {
		return errors.New("wheel.ReadWrite: SetLowMark needs HighMark and LowMark from NewReadWrite")
	}
	if n <= 0 || n >= w.high {
		return fmt.Errorf("wheel.ReadWrite: low mark %d would not be between 0 and the high mark %d", n, w.high)
	}
	w.low = n
	return nil
}

// PauseInput is POE's pause_input: the wheel stops reading (the watcher
// and the session's reference stay).
func (w *ReadWrite) PauseInput() {
	if w.reading {
		w.k.SelectPauseRead(w.in)
	}
}

// ResumeInput is POE's resume_input.
func (w *ReadWrite) ResumeInput() {
	if w.reading {
		w.k.SelectResumeRead(w.in)
	}
}

// ShutdownInput is POE's shutdown_input: shutdown(2) for reading, and the
// read watcher is removed.
func (w *ReadWrite) ShutdownInput() {
	if w.closed || w.in < 0 {
		return
	}
	unix.Shutdown(w.in, unix.SHUT_RD)
	if w.reading {
		w.reading = false
		w.k.SelectRead(w.in, "")
	}
	w.inputEv = ""
}

// ShutdownOutput is POE's shutdown_output: shutdown(2) for writing, and
// the write watcher is removed. Unlike POE, queued output is first written
// as far as the descriptor takes it without blocking.
func (w *ReadWrite) ShutdownOutput() {
	if w.closed || !w.writing {
		return
	}
	w.drv.Flush(w.out)
	unix.Shutdown(w.out, unix.SHUT_WR)
	w.writing = false
	w.k.SelectWrite(w.out, "")
}

// Close is POE's deletion of the wheel: it removes the watchers and
// private states, frees the ID and, unless KeepOpen was given, closes the
// handles. Output still queued is discarded, as in POE; wait for
// FlushedEvent first to send it.
func (w *ReadWrite) Close() {
	w.closeVia(func() {
		if w.reading {
			w.k.SelectRead(w.in, "")
		}
		if w.writing {
			w.k.SelectWrite(w.out, "")
		}
		w.reading, w.writing = false, false
		if !w.keepOpen {
			if w.in >= 0 {
				unix.Close(w.in)
			}
			if w.out >= 0 && w.out != w.in {
				unix.Close(w.out)
			}
		}
		w.in, w.out = -1, -1
	})
}
