// Package interop_test runs the Go IKC components against real Perl POE
// and POE::Component::IKC 0.2402 peers, started as child processes from
// the small Perl programs in perl/.
//
// The tests that need Perl IKC are skipped unless IKC_PERL5LIB names the
// directory holding POE/Component/IKC/*.pm:
//
//	IKC_PERL5LIB=/path/to/ikc/lib go test ./t/interop/ -v
package interop_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startTimeout bounds how long a Perl peer may take to say READY.
const startTimeout = 20 * time.Second

// ikcLib returns IKC_PERL5LIB, or skips the test when it is unset or when
// perl, POE or IKC cannot be loaded from it.
func ikcLib(t *testing.T) string {
	t.Helper()
	lib := os.Getenv("IKC_PERL5LIB")
	if lib == "" {
		t.Skip("IKC_PERL5LIB not set: Perl IKC interop tests skipped")
	}
	requirePerl(t, lib, "POE::Component::IKC::Server", "POE::Component::IKC::ClientLite")
	return lib
}

var (
	perlChecksMu sync.Mutex
	perlChecks   = map[string]string{} // lib and modules -> why they cannot load, "" when they can
)

// requirePerl skips the test when perl cannot load POE and the modules.
func requirePerl(t *testing.T, lib string, modules ...string) {
	t.Helper()
	key := lib + "|" + strings.Join(modules, ",")
	perlChecksMu.Lock()
	defer perlChecksMu.Unlock()
	if why, ok := perlChecks[key]; ok {
		if why != "" {
			t.Skip(why)
		}
		return
	}
	why := ""
	if _, err := exec.LookPath("perl"); err != nil {
		why = "perl not found: Perl interop tests skipped"
	} else {
		args := []string{"-MPOE"}
		if lib != "" {
			args = append([]string{"-I", lib}, args...)
		}
		for _, m := range modules {
			args = append(args, "-M"+m)
		}
		out, err := exec.Command("perl", append(args, "-e1")...).CombinedOutput()
		if err != nil {
			why = fmt.Sprintf("perl cannot load POE %s: Perl interop tests skipped (%s)",
				strings.Join(modules, " "), firstLine(out))
		}
	}
	perlChecks[key] = why
	if why != "" {
		t.Skip(why)
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

// perlPeer is a Perl program running as a child process. Its standard
// output is read line by line; its standard error is kept for failure
// reports.
type perlPeer struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	lines  chan string
	stderr *lockedBuffer
	done   chan struct{}
	seen   []string // the last lines expect skipped or matched
	stdin  io.WriteCloser
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startPerl runs perl/<script> with args, with lib on @INC (when not
// empty). The process is killed by its PID when the test ends.
func startPerl(t *testing.T, lib, script string, args ...string) *perlPeer {
	t.Helper()
	perlArgs := []string{filepath.Join("perl", script)}
	if lib != "" {
		perlArgs = append([]string{"-I", lib}, perlArgs...)
	}
	cmd := exec.Command("perl", append(perlArgs, args...)...)
	cmd.Env = append(os.Environ(), "PERL_HASH_SEED=0", "PERL_PERTURB_KEYS=0")
	dieWithParent(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &perlPeer{t: t, name: script, cmd: cmd, lines: make(chan string, 1024),
		stderr: &lockedBuffer{}, done: make(chan struct{}), stdin: stdin}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody reads: drop rather than block the child
			}
		}
		cmd.Wait()
		close(p.lines)
	}()
	t.Cleanup(p.stop)
	return p
}

// stop kills the process by its PID and waits for it.
func (p *perlPeer) stop() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

// expect waits up to timeout for a line starting with prefix and returns
// the rest of it; lines before it are skipped.
func (p *perlPeer) expect(prefix string, timeout time.Duration) string {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("%s exited before printing %q; it printed %q; stderr:\n%s", p.name, prefix, p.seen, p.stderr)
			}
			if p.seen = append(p.seen, line); len(p.seen) > 20 {
				p.seen = p.seen[1:]
			}
			if rest, found := strings.CutPrefix(line, prefix); found {
				return rest
			}
		case <-deadline:
			p.t.Fatalf("%s printed no %q within %v; it printed %q; stderr:\n%s", p.name, prefix, timeout, p.seen, p.stderr)
		}
	}
}

// until returns the lines printed before a line equal to stop.
func (p *perlPeer) until(stop string, timeout time.Duration) []string {
	p.t.Helper()
	var out []string
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("%s exited before printing %q; it printed %q; stderr:\n%s", p.name, stop, out, p.stderr)
			}
			if line == stop {
				return out
			}
			out = append(out, line)
		case <-deadline:
			p.t.Fatalf("%s printed no %q within %v; it printed %q; stderr:\n%s", p.name, stop, timeout, out, p.stderr)
		}
	}
}

// alive reports whether the process is still running.
func (p *perlPeer) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}
