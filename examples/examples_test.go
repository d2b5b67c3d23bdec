// Package examples_test builds every example program and runs it briefly on
// loopback, checking what it prints.
package examples_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// build compiles ./name into a temporary directory.
func build(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("go", "build", "-o", bin, "./"+name).CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	return bin
}

// run runs a program to its end, within a deadline, and returns its output.
func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", filepath.Base(bin), err, out.String(), errb.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s did not finish\nstdout: %s", filepath.Base(bin), out.String())
	}
	if errb.Len() > 0 {
		t.Errorf("%s wrote to stderr: %s", filepath.Base(bin), errb.String())
	}
	return out.String()
}

// started is a program running in the background whose stdout is read line
// by line.
type started struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan struct{}
}

func start(t *testing.T, bin string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &started{cmd: cmd, lines: make(chan string, 100), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
		cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

// expect returns the next line, which must contain want.
func (s *started) expect(t *testing.T, want string) string {
	t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			t.Fatalf("%s ended; wanted %q", s.cmd.Args[0], want)
		}
		if !strings.Contains(l, want) {
			t.Fatalf("%s printed %q, want %q", filepath.Base(s.cmd.Args[0]), l, want)
		}
		return l
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no line with %q", s.cmd.Args[0], want)
	}
	return ""
}

// wait waits for the program to end by itself.
func (s *started) wait(t *testing.T) {
	t.Helper()
	for range s.lines {
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not end", s.cmd.Args[0])
	}
	if c := s.cmd.ProcessState.ExitCode(); c != 0 {
		t.Errorf("%s exited %d", s.cmd.Args[0], c)
	}
}

// portOf reads the port from a "... listening on 127.0.0.1:PORT" line.
func portOf(t *testing.T, line string) string {
	t.Helper()
	i := strings.LastIndex(line, ":")
	if i < 0 {
		t.Fatalf("no port in %q", line)
	}
	return line[i+1:]
}

func TestChat(t *testing.T) {
	t.Parallel()
	srv := start(t, build(t, "chat"), "-port", "0", "-for", "5s")
	port := portOf(t, srv.expect(t, "chat: listening on 127.0.0.1:"))
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		return c, bufio.NewReader(c)
	}
	read := func(r *bufio.Reader, want string) {
		t.Helper()
		l, err := r.ReadString('\n')
		if err != nil || !strings.Contains(l, want) {
			t.Fatalf("read %q, %v; want %q", l, err, want)
		}
	}
	a, ra := dial()
	defer a.Close()
	read(ra, "welcome, user")
	b, rb := dial()
	defer b.Close()
	read(rb, "2 here")
	read(ra, "joined")
	fmt.Fprintf(a, "/nick alice\r\n")
	read(ra, "is now alice")
	read(rb, "is now alice")
	fmt.Fprintf(a, "hello, everyone\r\n")
	read(rb, "alice: hello, everyone")
	fmt.Fprintf(b, "/quit\r\n")
	read(rb, "bye")
	read(ra, "left")
	a.Close()
	srv.cmd.Process.Signal(os.Interrupt)
	srv.expect(t, "chat: shutting down")
	srv.wait(t)
}

func TestTail(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(file, []byte("old line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := start(t, build(t, "tail"), "-file", file, "-poll", "20ms", "-for", "3s")
	time.Sleep(100 * time.Millisecond) // let it reach the end of the file
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "first new line")
	fmt.Fprintln(f, "second new line")
	f.Close()
	p.expect(t, "first new line") // "old line" was there before: skipped
	p.expect(t, "second new line")
	p.cmd.Process.Signal(os.Interrupt)
	p.wait(t)
}

func TestTimeServerAndClient(t *testing.T) {
	t.Parallel()
	srv := start(t, build(t, "timeserver"), "-port", "0", "-interval", "50ms", "-for", "10s")
	port := portOf(t, srv.expect(t, "timeserver: listening on 127.0.0.1:"))
	out := run(t, build(t, "timeclient"), "-port", port, "-count", "3", "-name", "Watch")
	want := "timeclient: connected and subscribed to poe://TimeServer/timeserver\n"
	if !strings.HasPrefix(out, want) || strings.Count(out, "timeclient: the time is ") != 3 {
		t.Errorf("client printed:\n%s", out)
	}
	srv.expect(t, "poe://Watch/clock/tick connected")
	srv.expect(t, "poe://Watch/clock/tick disconnected")
	srv.cmd.Process.Signal(os.Interrupt)
	srv.expect(t, "timeserver: stopping")
	srv.wait(t)
}

func TestWorkers(t *testing.T) {
	t.Parallel()
	out := run(t, build(t, "workers"), "-workers", "3", "-clients", "3", "-jobs", "4")
	for _, want := range []string{"pool of 3 listening", "3 clients, 12 answers, 0 wrong", "served 12 jobs"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSupervisor(t *testing.T) {
	t.Parallel()
	out := run(t, build(t, "supervisor"), "-restarts", "2", "-delay", "10ms", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
	if n := strings.Count(out, "supervisor: started "); n != 3 {
		t.Errorf("%d starts, want 3:\n%s", n, out)
	}
	for _, want := range []string{"] out\n", "!] err\n", "exited with status 3", "restarting in 10ms", "restarting in 20ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// An interrupt stops a long-running child.
	p := start(t, build(t, "supervisor"), "--", "sleep", "30")
	p.expect(t, "supervisor: started")
	p.cmd.Process.Signal(os.Interrupt)
	p.expect(t, "supervisor: stopping")
	p.expect(t, "exited with status")
	p.wait(t)
}
