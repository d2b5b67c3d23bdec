package serialtest

import (
	"bufio"
	"context"
	"encoding/hex"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Perl returns the perl to run, skipping the test when there is no perl
// or it cannot load the given modules (perl -MModule -e1 fails).
func Perl(t testing.TB, modules ...string) string {
	t.Helper()
	perl, err := exec.LookPath("perl")
	if err != nil {
		t.Skip("perl is not installed: skipping the tests against Perl")
	}
	if len(modules) == 0 {
		return perl
	}
	args := make([]string, 0, len(modules)+2)
	for _, m := range modules {
		args = append(args, "-M"+m)
	}
	if err := exec.Command(perl, append(args, "-e", "1")...).Run(); err != nil {
		t.Skipf("Perl's %s missing (perl %s -e1 fails): skipping the tests against it",
			strings.Join(modules, ", "), strings.Join(args, " "))
	}
	return perl
}

// PerlChild is a perl script running beside a test, spoken to a line at
// a time.
type PerlChild struct {
	out *bufio.Reader
	// In is the script's standard input.
	In io.WriteCloser
}

// StartPerl runs perl with args (a script and its arguments) beside the
// test. The script's input is closed and the script waited for when the
// test ends; it is killed if it is still running after timeout.
func StartPerl(t testing.TB, timeout time.Duration, perl string, args ...string) *PerlChild {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	cmd := exec.CommandContext(ctx, perl, args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		t.Fatalf("perl's input: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatalf("perl's output: %v", err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting perl %s: %v", strings.Join(args, " "), err)
	}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Wait() // the context kills it if it hangs
		cancel()
	})
	return &PerlChild{out: bufio.NewReaderSize(stdout, 1<<20), In: in}
}

// Line reads the script's next line, without its newline, failing the
// test if there is none.
func (p *PerlChild) Line(t testing.TB) string {
	t.Helper()
	s, err := p.out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading from perl: %v", err)
	}
	return strings.TrimSuffix(s, "\n")
}

// Send writes line and a newline to the script, failing the test if it
// cannot.
func (p *PerlChild) Send(t testing.TB, line string) {
	t.Helper()
	if _, err := io.WriteString(p.In, line+"\n"); err != nil {
		t.Fatalf("writing to perl: %v", err)
	}
}

// Ask sends request and reads the script's answer: octets written in hex,
// or a line starting "ERR", which comes back as perlErr with no octets.
// An answer that is neither fails the test.
func (p *PerlChild) Ask(t testing.TB, request string) (octets []byte, perlErr string) {
	t.Helper()
	p.Send(t, request)
	line := p.Line(t)
	if strings.HasPrefix(line, "ERR") {
		return nil, line
	}
	b, err := hex.DecodeString(line)
	if err != nil {
		t.Fatalf("perl's answer to %.40q is not hex: %.200s", request, line)
	}
	return b, ""
}
