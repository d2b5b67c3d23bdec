package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ikcBin is the command built once for the tests that need a process of
// their own (serve and monitor, stopped with signals).
var ikcBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ikc-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ikcBin = filepath.Join(dir, "ikc")
	if out, err := exec.Command("go", "build", "-o", ikcBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building ikc: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runIKC runs the command in this process and returns its exit status and
// output.
func runIKC(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// freePort returns a loopback port nobody listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestExitStatusAndUsage(t *testing.T) {
	closed := strconv.Itoa(freePort(t))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr; "" wants it empty
	}{
		{"no command is a usage error that prints the help", nil, 2, "usage: ikc <command>", ""},
		{"help succeeds", []string{"help"}, 0, "commands:", ""},
		{"--help succeeds", []string{"--help"}, 0, "demo", ""},
		{"an unknown command is a usage error", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"a subcommand's -h succeeds and lists its flags", []string{"call", "-h"}, 0, "", "-timeout"},
		{"serve --help succeeds", []string{"serve", "--help"}, 0, "", "-unix"},
		{"an unknown flag is a usage error", []string{"ping", "--bogus"}, 2, "", "flag provided but not defined"},
		{"call without a specifier is a usage error", []string{"call"}, 2, "", "want poe://Kernel/session/state"},
		{"call with two arguments is a usage error", []string{"post", "a/b", "1", "2"}, 2, "", "at most one ARG"},
		{"serve takes no arguments", []string{"serve", "extra"}, 2, "", "serve takes no arguments"},
		{"serve refuses a bad protocol", []string{"serve", "--protocol", "HTTP"}, 2, "", "IKC0 or IKC"},
		{"serve refuses a port out of range", []string{"serve", "--port", "70000"}, 2, "", "out of range"},
		{"monitor needs a real port", []string{"monitor", "--port", "0"}, 2, "", "--port 0"},
		{"bench refuses an unknown workload", []string{"bench", "--workloads", "2"}, 2, "", "not one of 1, 3, 4"},
		{"bench refuses a negative scale", []string{"bench", "--scale", "-1"}, 2, "", "--scale"},
		{"bench fails on a profile it cannot write", []string{"bench", "--run", "yield", "--cpuprofile", "no/such/dir/cpu.prof"}, 1, "", "--cpuprofile"},
		{"ping of a closed port fails", []string{"ping", "--port", closed, "--timeout", "2s"}, 1, "", "ikc ping: "},
		{"call of a closed port fails", []string{"call", "--port", closed, "--timeout", "2s", "echo/echo"}, 1, "", "ikc call: "},
		{"monitor of a closed port fails", []string{"monitor", "--port", closed, "--timeout", "2s"}, 1, "", "ikc monitor: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIKC(tt.args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout %q does not contain %q", stdout, tt.stdout)
			}
			if tt.stderr == "" && stderr != "" {
				t.Errorf("stderr %q, want none", stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderr)
			}
			// A failed operation says so in one plain line.
			if tt.code == 1 && strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
		})
	}
}

func TestDemoPrintsATranscriptAndSucceeds(t *testing.T) {
	code, stdout, stderr := runIKC("demo")
	if code != 0 {
		t.Fatalf("exit status %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"monitor: kernel Client registered",
		`got reply "hello, world"`,
		"got RSVP sum 5",
		`subscribed to ["poe://Server/greeter"]`,
		`greeter/hello got "proxy"`,
		"monitor: kernel Client unregistered",
		"done: two kernels",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("transcript lacks %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
}

func TestBenchSmoke(t *testing.T) {
	code, stdout, stderr := runIKC("bench", "--scale", "0.01", "--json")
	if code != 0 {
		t.Fatalf("exit status %d\n%s%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(benchCases) {
		t.Fatalf("%d results, want %d:\n%s", len(lines), len(benchCases), stdout)
	}
	for _, l := range lines {
		var r benchResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if r.Ops <= 0 || r.Elapsed <= 0 || r.Rate <= 0 {
			t.Errorf("implausible result %+v", r)
		}
		// bench/compare.sh gives bench/c/pingpong the octets of the
		// call and its answer that this case reports.
		if r.Name == "raw-tcp-call-bytes" {
			request, response, err := callFrames()
			if err != nil {
				t.Fatal(err)
			}
			if r.RequestOctets != len(request) || r.ResponseOctets != len(response) {
				t.Errorf("raw-tcp-call-bytes reports %d and %d octets; its frames are %d and %d",
					r.RequestOctets, r.ResponseOctets, len(request), len(response))
			}
		}
	}
	// A CPU profile of the cases run, for go tool pprof: gzipped protobuf.
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	if code, stdout, stderr := runIKC("bench", "--scale", "0.01", "--workloads", "1", "--cpuprofile", prof); code != 0 {
		t.Fatalf("with --cpuprofile: exit status %d\n%s%s", code, stdout, stderr)
	}
	if b, err := os.ReadFile(prof); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile: %d octets, %v; want a gzipped profile", len(b), err)
	}
	// Without a terminal there is no progress display.
	code, stdout, _ = runIKC("bench", "--scale", "0.01", "--workloads", "1", "--run", "yield")
	if code != 0 || strings.Contains(stdout, "\r") || !strings.Contains(stdout, "yield") {
		t.Errorf("plain summary: status %d, %q", code, stdout)
	}
}

// proc is a command started by a test, with its stdout read line by line.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *bytes.Buffer
	done   chan error
	rest   string // the lines stop read after sending its signal
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(ikcBin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 100), stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	return p
}

// next returns the next line of output, failing after a few seconds.
func (p *proc) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			t.Fatalf("%s ended early; stderr: %s", p.cmd.Args[1], p.stderr)
		}
		return l
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no output in time; stderr: %s", p.cmd.Args[1], p.stderr)
	}
	return ""
}

// until returns the first line containing want.
func (p *proc) until(t *testing.T, want string) string {
	t.Helper()
	for {
		if l := p.next(t); strings.Contains(l, want) {
			return l
		}
	}
}

// stop sends sig and returns the exit status.
func (p *proc) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	p.cmd.Process.Signal(sig)
	for l := range p.lines {
		p.rest += l + "\n"
	}
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not stop on %v", p.cmd.Args[1], sig)
	}
	return p.cmd.ProcessState.ExitCode()
}

// serve starts `ikc serve` on an ephemeral port and returns it with the
// port it announced.
func serve(t *testing.T, extra ...string) (*proc, string) {
	t.Helper()
	p := start(t, append([]string{"serve", "--port", "0"}, extra...)...)
	var ready struct {
		Listening string `json:"listening"`
		Port      int    `json:"port"`
		Name      string `json:"name"`
	}
	first := p.next(t)
	if err := json.Unmarshal([]byte(first), &ready); err != nil || ready.Port == 0 {
		t.Fatalf("first line %q is not the listening announcement: %v", first, err)
	}
	return p, strconv.Itoa(ready.Port)
}

func TestServeAnswersCallPostPingAndMonitorSeesClients(t *testing.T) {
	srv, port := serve(t, "--name", "Srv")
	mon := start(t, "monitor", "--port", port, "--json", "--name", "Watcher")
	if l := mon.until(t, `"event":"register"`); !strings.Contains(l, `"kernel":"Srv"`) {
		t.Errorf("monitor's first register is %s, want the server", l)
	}
	mon.until(t, `"event":"watching"`)

	calls := []struct {
		name string
		args []string
		want string // exact stdout, or a prefix ending in "*"
	}{
		{"echo returns a JSON object unchanged", []string{"call", "poe://Srv/echo/echo", `{"a":[1,"x",{"b":null}]}`}, `{"a":[1,"x",{"b":null}]}` + "\n"},
		{"echo of a relative specifier", []string{"call", "echo/echo", `"hi"`}, `"hi"` + "\n"},
		{"text that is not JSON is a string", []string{"call", "echo/echo", "plain words"}, `"plain words"` + "\n"},
		{"echo without an argument answers an empty string", []string{"call", "echo/echo"}, `""` + "\n"},
		{"Storable sends a fraction as a string, as Perl's nstore does", []string{"call", "echo/echo", "[2.5]"}, `["2.5"]` + "\n"},
		{"msgpack keeps floats and booleans", []string{"call", "--serializer", "msgpack", "echo/echo", "[2.5,true]"}, "[2.5,true]\n"},
		{"FreezeThaw sends every scalar as its text", []string{"call", "--serializer", "freezethaw", "echo/echo", `[2.5,7,"x"]`}, `["2.5",7,"x"]` + "\n"},
		{"a list call answers an array", []string{"call", "--list", "echo/echo", "7"}, "[7]\n"},
		{"time/unix answers a number", []string{"call", "time/unix"}, "1*"},
		{"post prints nothing", []string{"post", "echo/echo", "1"}, ""},
		{"ping answers PONG", []string{"ping"}, "PONG from 127.0.0.1:" + port + "*"},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runIKC(append(c.args[:1:1], append([]string{"--port", port, "--timeout", "5s"}, c.args[1:]...)...)...)
			if code != 0 {
				t.Fatalf("exit status %d: %s", code, stderr)
			}
			if p, ok := strings.CutSuffix(c.want, "*"); ok {
				if !strings.HasPrefix(stdout, p) {
					t.Errorf("stdout %q, want it to start with %q", stdout, p)
				}
			} else if stdout != c.want {
				t.Errorf("stdout %q, want %q", stdout, c.want)
			}
		})
	}

	t.Run("a state that is not published fails with the server's message", func(t *testing.T) {
		code, _, stderr := runIKC("call", "--port", port, "--timeout", "5s", "echo/nosuch")
		if code != 1 || !strings.Contains(stderr, "remote error") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("status %d, stderr %q", code, stderr)
		}
	})

	t.Run("kernel/info reports sessions, connections and counters", func(t *testing.T) {
		code, stdout, stderr := runIKC("call", "--port", port, "--name", "Asker", "kernel/info")
		if code != 0 {
			t.Fatalf("exit status %d: %s", code, stderr)
		}
		var info struct {
			Name        string                    `json:"name"`
			Aliases     map[string]int            `json:"aliases"`
			Connections map[string]map[string]any `json:"connections"`
			Counters    struct {
				Requests map[string]int `json:"requests"`
			} `json:"counters"`
			Queue    *int  `json:"queue"`
			Sessions []any `json:"sessions"`
		}
		if err := json.Unmarshal([]byte(stdout), &info); err != nil {
			t.Fatalf("%q: %v", stdout, err)
		}
		if info.Name != "Srv" || info.Queue == nil || len(info.Sessions) < 4 {
			t.Errorf("info %+v", info)
		}
		for _, a := range []string{"IKC", "echo", "time", "kernel"} {
			if _, ok := info.Aliases[a]; !ok {
				t.Errorf("alias %s missing from %v", a, info.Aliases)
			}
		}
		if _, ok := info.Connections["Asker"]; !ok {
			t.Errorf("the asking client is not among the connections %v", info.Connections)
		}
		if _, ok := info.Connections["Watcher"]; !ok {
			t.Errorf("the monitor is not among the connections %v", info.Connections)
		}
		if info.Counters.Requests["echo/echo"] < 4 {
			t.Errorf("requests %v", info.Counters.Requests)
		}
	})

	// The monitor heard of the clients through the server.
	l := mon.until(t, `"kernel":"Asker"`)
	if !strings.Contains(l, `"event":"register"`) || !strings.Contains(l, `"via":"Srv"`) {
		t.Errorf("monitor line %s", l)
	}
	mon.until(t, `"event":"unregister"`)

	if code := srv.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exited %d on SIGTERM; stderr: %s", code, srv.stderr)
	}
	// The server's log: a register and unregister line per client, then the stop.
	if srv.stderr.Len() != 0 {
		t.Errorf("serve's stderr: %s", srv.stderr)
	}
	// The monitor stops by itself once the server has gone.
	select {
	case <-mon.done:
		if c := mon.cmd.ProcessState.ExitCode(); c != 0 {
			t.Errorf("monitor exited %d; stderr: %s", c, mon.stderr)
		}
	case <-time.After(5 * time.Second):
		t.Error("monitor did not stop when the server went away")
	}
}

func TestServeLogsConnectionsAndStopsOnSIGINT(t *testing.T) {
	srv, port := serve(t)
	if code, _, stderr := runIKC("ping", "--port", port, "--name", "Pinger"); code != 0 {
		t.Fatalf("ping: %s", stderr)
	}
	if l := srv.next(t); !strings.Contains(l, " register Pinger") {
		t.Errorf("log line %q", l)
	}
	if l := srv.next(t); !strings.Contains(l, " unregister Pinger") {
		t.Errorf("log line %q", l)
	}
	// One SIGINT only: once the server has stopped watching it, a second
	// one would take the default action and kill it.
	if code := srv.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !strings.Contains(srv.rest, " stop SIGINT") {
		t.Errorf("no stop line in %q", srv.rest)
	}
}

func TestServeOnAUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikc.sock")
	srv := start(t, "serve", "--unix", path)
	if l := srv.next(t); !strings.Contains(l, `"listening":"unix:`+path+`"`) {
		t.Fatalf("first line %q", l)
	}
	code, stdout, stderr := runIKC("call", "--unix", path, "echo/echo", `[1,2,3]`)
	if code != 0 || stdout != "[1,2,3]\n" {
		t.Errorf("call over the unix socket: status %d, %q, %s", code, stdout, stderr)
	}
	if code := srv.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the socket file is left behind")
	}
}

func TestServeFailsOnAPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	cmd := exec.Command(ikcBin, "serve", "--port", port)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err == nil {
		t.Error("serve on a port in use succeeded")
	}
	if cmd.ProcessState.ExitCode() != 1 || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("status %d, stderr %q", cmd.ProcessState.ExitCode(), stderr.String())
	}
}
