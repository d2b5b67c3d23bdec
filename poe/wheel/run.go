package wheel

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/poe-go/poe/poe/driver"
	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"golang.org/x/sys/unix"
)

// RunOptions are POE::Wheel::Run's parameters.
type RunOptions struct {
	// Program is the argv to run, its first element looked up in PATH
	// (Program => [...]); Command is a shell command run with /bin/sh -c
	// (Program => "string"). Exactly one is required.
	Program []string
	Command string
	// Env is the child's environment (nil: this process's); Dir its
	// working directory ("" : this process's).
	Env []string
	Dir string

	// StdioFilter is used for stdin and stdout (StdioFilter); StdinFilter
	// and StdoutFilter set each; StderrFilter is stderr's. Nil means a
	// filter.NewLine() for each.
	StdioFilter  filter.Filter
	StdinFilter  filter.Filter
	StdoutFilter filter.Filter
	StderrFilter filter.Filter

	// StdoutEvent and StderrEvent receive each record the child writes:
	// ARG0 the record, ARG1 the wheel ID.
	StdoutEvent, StderrEvent string
	// StdinEvent (ARG0 wheel ID) fires when what Put queued has been
	// written to the child.
	StdinEvent string
	// CloseEvent (ARG0 wheel ID) fires once when the child has closed
	// the outputs that have an event (StdoutEvent, StderrEvent), usually
	// because it exited, as in POE: with only StdoutEvent it does not
	// wait for stderr. When neither has an event it fires once both are
	// closed, where POE never fires it.
	//
	// Unlike POE, which gives the child no pipe for an output without an
	// event (it writes to this process's own stdout or stderr), the wheel
	// always reads both and discards what has no event, so the child
	// never blocks on a full pipe. The end of an output that does not
	// count towards CloseEvent is not reported to ErrorEvent.
	CloseEvent string
	// ErrorEvent receives failures: ARG0 the operation ("read",
	// "write"), ARG1 the errno as an int, ARG2 its text, ARG3 the wheel
	// ID, ARG4 the handle's name ("STDIN", "STDOUT", "STDERR"). The end of
	// stdout or stderr is ("read", 0, "", ID, name), as in POE.
	ErrorEvent string
}

// Run is POE::Wheel::Run: a child process with pipes on its stdin, stdout
// and stderr. The wheel does not wait for the child: watch its exit as in
// POE, with e.Kernel.SigChild(run.PID(), "child_exited") right after
// creating the wheel; the state then gets ARG1 the PID and ARG2 the wait
// status. A child nobody watches is never reaped.
type Run struct {
	base
	pid       int
	out, err  runStream
	stdin     int
	inDrv     *driver.SysRW
	inF       filter.Filter
	stdinEv   string
	closeEv   string
	errorEv   string
	closeSent bool // CloseEvent has fired
	writing   bool
	paused    bool
	queued    bool
	shutdown  bool // ShutdownStdin waits for the queue to drain
	stWrite   string
	afterFn   func()
	encFn     func([]byte) ([]byte, error)
	one       [1]any
	stdinBox  any
}

// runStream is one of the child's outputs.
type runStream struct {
	name    string
	fd      int
	drv     *driver.SysRW
	f       filter.Filter
	ev      string
	reading bool
	ended   bool // read to its end, or failed
}

// NewRun is POE::Wheel::Run->new, called from a handler of the session
// that will own the wheel. It starts the child and fails when the program
// cannot be found or started.
func NewRun(e *kernel.Event, o RunOptions) (*Run, error) {
	if (len(o.Program) == 0) == (o.Command == "") {
		return nil, errors.New("wheel.Run: exactly one of Program and Command is required")
	}
	if e == nil || e.Kernel == nil || e.Kernel.GetActiveSession() != e.Session {
		return nil, ErrNotInHandler
	}
	path, argv := "/bin/sh", []string{"sh", "-c", o.Command}
	if o.Command == "" {
		p, err := exec.LookPath(o.Program[0])
		if err != nil {
			return nil, err
		}
		path, argv = p, o.Program
	}
	var in, out, errp [2]int
	if err := openPipes(&in, &out, &errp); err != nil {
		return nil, err
	}
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Dir: o.Dir, Env: env,
		Files: []uintptr{uintptr(in[0]), uintptr(out[1]), uintptr(errp[1])}})
	unix.Close(in[0])
	unix.Close(out[1])
	unix.Close(errp[1])
	if err != nil {
		unix.Close(in[1])
		unix.Close(out[0])
		unix.Close(errp[0])
		return nil, err
	}
	w := &Run{pid: pid, stdin: in[1], inDrv: driver.NewSysRW(0),
		stdinEv: o.StdinEvent, closeEv: o.CloseEvent, errorEv: o.ErrorEvent}
	w.out = runStream{name: "STDOUT", fd: out[0], drv: driver.NewSysRW(0), f: pick(o.StdoutFilter, o.StdioFilter), ev: o.StdoutEvent}
	w.err = runStream{name: "STDERR", fd: errp[0], drv: driver.NewSysRW(0), f: pick(o.StderrFilter, nil), ev: o.StderrEvent}
	w.inF = pick(o.StdinFilter, o.StdioFilter)
	w.afterFn, w.encFn = w.afterDispatch, w.encode
	w.stdinBox = w.stdin
	w.init(e, "Run")
	if err := w.watch(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func pick(f, dflt filter.Filter) filter.Filter {
	if f != nil {
		return f
	}
	if dflt != nil {
		return dflt.Clone()
	}
	return filter.NewLine()
}

func openPipes(ps ...*[2]int) error {
	for i, p := range ps {
		if err := pipeCloexec(p[:]); err != nil {
			for _, q := range ps[:i] {
				unix.Close(q[0])
				unix.Close(q[1])
			}
			return err
		}
	}
	return nil
}

// watch registers the readers of stdout and stderr and the paused writer
// of stdin.
func (w *Run) watch() error {
	for _, st := range []*runStream{&w.out, &w.err} {
		st := st
		name := w.state("select "+st.name, func(*kernel.Event) any { w.onRead(st); return nil })
		if err := w.k.SelectRead(st.fd, name); err != nil {
			return err
		}
		st.reading = true
	}
	w.stWrite = w.state("select STDIN", w.onWrite)
	if err := w.k.SelectWrite(w.stdin, w.stWrite); err != nil {
		return err
	}
	w.writing, w.paused = true, true
	w.k.SelectPauseWrite(w.stdin)
	return nil
}

func (w *Run) onRead(st *runStream) {
	if w.closed || !st.reading {
		return
	}
	data, err := st.drv.Get(st.fd)
	if len(data) > 0 {
		st.f.GetOneStart(data)
		for faults := 0; !w.closed && faults <= 64; {
			rec, ok, ferr := st.f.GetOne()
			if ferr != nil {
				w.fail(w.errorEv, &OpError{Op: "read", Handle: st.name, Errno: unix.EBADMSG, Err: ferr}, st.name)
				faults++
				continue
			}
			if !ok {
				break
			}
			if st.ev != "" {
				w.k.Call(w.s, st.ev, rec, w.idBox)
			}
		}
	}
	if err == nil || w.closed {
		return
	}
	oe := &OpError{Op: "read", Handle: st.name}
	if err != io.EOF {
		oe.Errno = errnoOf(err)
	}
	ev := w.errorEv
	if !w.counts(st) {
		ev = "" // as in POE, which has no pipe for an output without an event
	}
	w.fail(ev, oe, st.name)
	if w.closed || !st.reading {
		return
	}
	st.reading = false
	st.ended = true
	w.k.SelectRead(st.fd, "")
	unix.Close(st.fd)
	st.fd = -1
	w.checkClose()
}

// counts reports whether st's end counts towards CloseEvent: it has an
// event, or neither output has one. POE counts the outputs with an event
// only, so with neither CloseEvent never comes there.
func (w *Run) counts(st *runStream) bool {
	return st.ev != "" || (w.out.ev == "" && w.err.ev == "")
}

// checkClose fires CloseEvent once the outputs that count have ended.
// Event calls it too, as POE's event recounts the outputs; unlike POE's
// recount it remembers which outputs have already ended, so CloseEvent
// is neither lost nor given twice.
func (w *Run) checkClose() {
	if w.closed || w.closeSent {
		return
	}
	for _, st := range []*runStream{&w.out, &w.err} {
		if w.counts(st) && !st.ended {
			return
		}
	}
	w.closeSent = true
	if w.closeEv != "" {
		w.k.Call(w.s, w.closeEv, w.idBox)
	}
}

// Put is POE's put: records go through the stdin filter to the child's
// stdin, written at the end of the round. It returns false once stdin is
// shut down or closed.
func (w *Run) Put(records ...any) bool {
	if w.closed || !w.writing || w.shutdown {
		return false
	}
	before := w.inDrv.GetOutOctets()
	for _, r := range records {
		w.one[0] = r
		if _, err := w.inDrv.PutFunc(w.encFn); err != nil {
			w.last = &OpError{Wheel: w.id, Op: "put", Handle: "STDIN", Errno: unix.EINVAL, Err: err}
			if w.errorEv != "" {
				w.k.Post(w.s, w.errorEv, "put", int(unix.EINVAL), err.Error(), w.idBox, "STDIN")
			}
		}
	}
	w.one[0] = nil
	switch {
	case before > 0 || w.inDrv.GetOutOctets() == 0 || w.queued:
	case w.k.GetActiveSession().IsKernel():
		// Outside any handler no round is ending: wait for writability.
		w.paused = false
		w.k.SelectResumeWrite(w.stdin)
	default:
		w.queued = true
		w.k.AfterDispatch(w.afterFn)
	}
	return true
}

func (w *Run) encode(dst []byte) ([]byte, error) { return w.inF.Put(dst, w.one[:]...) }

func (w *Run) afterDispatch() {
	w.queued = false
	if !w.closed && w.writing {
		w.k.Call(w.s, w.stWrite, w.stdinBox, kernel.ModeWrite)
	}
}

// onWrite flushes stdin: StdinEvent when the queue empties, ErrorEvent
// ("write", ..., "STDIN") when the child is gone.
func (w *Run) onWrite(*kernel.Event) any {
	if w.closed || !w.writing {
		return nil
	}
	left, err := w.inDrv.Flush(w.stdin)
	if err != nil {
		w.stopStdin()
		w.fail(w.errorEv, &OpError{Op: "write", Handle: "STDIN", Errno: errnoOf(err)}, "STDIN")
		return nil
	}
	if left > 0 {
		if w.paused {
			w.paused = false
			w.k.SelectResumeWrite(w.stdin)
		}
		return nil
	}
	if !w.paused {
		w.paused = true
		w.k.SelectPauseWrite(w.stdin)
	}
	if w.shutdown {
		w.stopStdin()
	}
	if w.stdinEv != "" && !w.closed {
		w.k.Call(w.s, w.stdinEv, w.idBox)
	}
	return nil
}

// stopStdin removes the stdin watcher and closes the pipe.
func (w *Run) stopStdin() {
	if !w.writing {
		return
	}
	w.writing = false
	w.k.SelectWrite(w.stdin, "")
	unix.Close(w.stdin)
	w.stdin = -1
}

// ShutdownStdin is POE's shutdown_stdin: the child sees end of file on its
// stdin. Unlike POE, what Put queued is written first.
func (w *Run) ShutdownStdin() {
	if w.closed || !w.writing || w.shutdown {
		return
	}
	w.shutdown = true
	if w.inDrv.GetOutOctets() == 0 {
		w.stopStdin()
		return
	}
	w.onWrite(nil)
}

// PauseStdout is POE's pause_stdout: stdout is not read until
// ResumeStdout.
func (w *Run) PauseStdout() { w.pauseStream(&w.out, true) }

// ResumeStdout is POE's resume_stdout.
func (w *Run) ResumeStdout() { w.pauseStream(&w.out, false) }

// PauseStderr is POE's pause_stderr.
func (w *Run) PauseStderr() { w.pauseStream(&w.err, true) }

// ResumeStderr is POE's resume_stderr.
func (w *Run) ResumeStderr() { w.pauseStream(&w.err, false) }

func (w *Run) pauseStream(st *runStream, pause bool) {
	if w.closed || !st.reading {
		return
	}
	if pause {
		w.k.SelectPauseRead(st.fd)
	} else {
		w.k.SelectResumeRead(st.fd)
	}
}

// Kill is POE's kill: it sends sig (SIGTERM when 0) to the child.
func (w *Run) Kill(sig syscall.Signal) error {
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	return syscall.Kill(w.pid, sig)
}

// PID is POE's PID: the child's process ID.
func (w *Run) PID() int { return w.pid }

// Event is POE's event method: it renames StdinEvent, StdoutEvent,
// StderrEvent, CloseEvent and ErrorEvent, given as name, state pairs.
// Giving or removing StdoutEvent or StderrEvent changes which outputs
// CloseEvent waits for; if those have all ended already, CloseEvent
// fires before Event returns (unless it fired before).
func (w *Run) Event(pairs ...string) error {
	if err := renameEvents("Run", pairs,
		eventParam{"StdinEvent", &w.stdinEv, false}, eventParam{"StdoutEvent", &w.out.ev, false},
		eventParam{"StderrEvent", &w.err.ev, false}, eventParam{"CloseEvent", &w.closeEv, false},
		eventParam{"ErrorEvent", &w.errorEv, false}); err != nil {
		return err
	}
	w.checkClose()
	return nil
}

// Close is POE's deletion of the wheel: it closes the pipes (the child
// sees end of file on stdin) and removes the watchers. It neither kills
// nor reaps the child: use Kill, and SigChild to reap it.
func (w *Run) Close() {
	w.closeVia(func() {
		w.stopStdin()
		for _, st := range []*runStream{&w.out, &w.err} {
			if st.reading {
				w.k.SelectRead(st.fd, "")
				st.reading = false
			}
			if st.fd >= 0 {
				unix.Close(st.fd)
				st.fd = -1
			}
		}
	})
}
