package reliability

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/clientlite"
	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/serial/storable"
)

// Environment of a child peer process: what it does, and where.
const (
	envKillMode = "IKC_RELIABILITY_KILL_CHILD"
	envKillPort = "IKC_RELIABILITY_KILL_PORT"
	envKillPKI  = "IKC_RELIABILITY_KILL_PKI" // CA, certificate, key files: use TLS
)

// tallyMark is the number the mid-call child tallies just before its big
// call, so that the parent knows the call is in the server's hands.
const tallyMark = 7007

// TestKillChild is not a test: it is the body of the child process that
// TestPeerProcessKilled starts (the test binary again, with envKillMode
// set). It writes a line to stdout when it reaches the point where it is
// to be killed, and then waits to be killed.
func TestKillChild(t *testing.T) {
	mode := os.Getenv(envKillMode)
	if mode == "" {
		t.Skip("the child peer process of TestPeerProcessKilled")
	}
	port, _ := strconv.Atoi(os.Getenv(envKillPort))
	say := func(s string) { fmt.Fprintln(os.Stdout, s); os.Stdout.Sync() }
	switch mode {
	case "mid-frame":
		// A hand-driven peer: negotiate, then half a frame.
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		p := &rawPeer{t: t, c: c, r: bufio.NewReader(c), name: "Victim"}
		p.negotiate()
		m := message.Call("poe://Srv/echo/echo", strings.Repeat("y", 1<<16), message.Address{Kernel: p.name, Session: "IKC", State: "answer"}, nil)
		img, err := storable.Freeze(m.Value())
		if err != nil {
			t.Fatal(err)
		}
		f := rawFrame(img)
		if err := p.write(f[:len(f)/2]); err != nil {
			t.Fatal(err)
		}
		say("HALF")
	case "mid-call":
		opts := client.Options{Port: port, Name: "Victim"}
		if files := strings.Split(os.Getenv(envKillPKI), ","); len(files) == 3 {
			cfg, err := client.TLSFromFiles(files[0], files[1], files[2], "")
			if err != nil {
				t.Fatal(err)
			}
			opts.TLS = cfg
		}
		c := startClient(t, opts)
		if !c.connected(t, 10*time.Second) {
			t.Fatalf("not connected: %v", c.ev.list)
		}
		c.k.Post("caller", "call", "poe://Srv/echo/tally", int64(tallyMark))
		c.k.Post("caller", "call", "poe://Srv/echo/big", 32<<20)
		say("CALLING")
	case "mid-subscription":
		c := startClient(t, client.Options{Port: port, Name: "Victim", Subscribe: []string{"poe://Srv/echo"}})
		if !c.connected(t, 10*time.Second) {
			t.Fatalf("not connected: %v", c.ev.list)
		}
		say("SUBSCRIBED")
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	time.Sleep(time.Minute) // killed long before
	t.Fatal("not killed")
}

// TestPeerProcessKilled kills a peer process (SIGKILL, by PID) in the
// middle of a frame, of a call and of a subscription: the server reports
// the lost connection (channel-read or channel-write, then unregister) to
// its monitors, stays up, answers a well-behaved ClientLite, and leaves no
// descriptor behind.
func TestPeerProcessKilled(t *testing.T) {
	if os.Getenv(envKillMode) != "" {
		t.Skip("in the child")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		mode, signal string
		ops          []string // acceptable error operations
		tls          bool
	}{
		{"mid-frame", "HALF", []string{"channel-read"}, false},
		{"mid-call", "CALLING", []string{"channel-read", "channel-write"}, false},
		{"mid-call", "CALLING", []string{"channel-read", "channel-write"}, true},
		{"mid-subscription", "SUBSCRIBED", []string{"channel-read"}, false},
	} {
		name := tc.mode
		if tc.tls {
			name += " over TLS"
		}
		t.Run(name, func(t *testing.T) {
			stats := &echoStats{seen: map[int64]int{}}
			opts := server.Options{NegotiationTimeout: 5 * time.Second}
			var env []string
			var pki testPKI
			if tc.tls {
				pki = newTestPKI(t)
				opts.TLS = pki.serverTLS(t, true)
				env = append(env, envKillPKI+"="+pki.caFile+","+pki.clientCert+","+pki.clientKey)
			}
			s := startServer(t, opts, stats)
			base := openFDs()

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe, "-test.run=^TestKillChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), envKillMode+"="+tc.mode, envKillPort+"="+strconv.Itoa(s.port))
			cmd.Env = append(cmd.Env, env...)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pid := cmd.Process.Pid
			waited := make(chan error, 1)
			lines := make(chan string, 16)
			go func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
				waited <- cmd.Wait()
			}()
			defer func() {
				syscall.Kill(pid, syscall.SIGKILL)
				select {
				case <-waited:
				case <-time.After(10 * time.Second):
					t.Error("child not reaped")
				}
			}()

			// Wait for the child's signal.
			deadline := time.After(20 * time.Second)
		wait:
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatal("the child ended before signalling")
					}
					if l == tc.signal {
						break wait
					}
				case <-deadline:
					t.Fatalf("no %s from the child", tc.signal)
				}
			}
			if _, err := s.ev.wait(0, 10*time.Second, named("register", "Victim")); err != nil {
				t.Fatalf("the child never registered: %v", s.ev.list)
			}
			if tc.mode == "mid-call" {
				// The tally went first on the same connection: once it is
				// counted, the big call is in the server's hands.
				end := time.Now().Add(10 * time.Second)
				for {
					stats.mu.Lock()
					n := stats.seen[tallyMark]
					stats.mu.Unlock()
					if n > 0 {
						break
					}
					if time.Now().After(end) {
						t.Fatal("the call never reached the server")
					}
					time.Sleep(time.Millisecond)
				}
			}
			mark := s.ev.mark()
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}

			e, err := s.ev.wait(mark, 10*time.Second, func(e ev) bool {
				if e.kind != "error" {
					return false
				}
				for _, op := range tc.ops {
					if e.op == op {
						return true
					}
				}
				return false
			})
			if err != nil {
				t.Errorf("no %v error: %v", tc.ops, s.ev.list[mark:])
			}
			if _, err := s.ev.wait(mark, 10*time.Second, named("unregister", "Victim")); err != nil {
				t.Errorf("no unregister: %v", s.ev.list[mark:])
			}
			t.Logf("after SIGKILL: %v", e)

			if tc.tls {
				// ClientLite has no TLS: a well-behaved Go TLS client instead
				// (in a subtest, so that it is gone before counting
				// descriptors).
				t.Run("a TLS client is served", func(t *testing.T) {
					c := startClient(t, client.Options{Port: s.port, Name: "Good", TLS: pki.clientTLS(t, true)})
					if !c.connected(t, 5*time.Second) {
						t.Fatalf("not connected: %v", c.ev.list)
					}
					if v := c.call(t, "poe://Srv/echo/echo", "still up", 0); v != "still up" {
						t.Fatalf("answer %v", v)
					}
				})
			} else {
				liteAnswers(t, s.port)
			}

			select {
			case err := <-waited:
				waited <- err
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					t.Errorf("child ended with %v, not SIGKILL", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("child not reaped")
			}
			if n := settleFDs(base, 5*time.Second); n > base {
				t.Errorf("descriptors: %d open, %d before", n, base)
			}
		})
	}
}

// liteAnswers checks that a well-behaved ClientLite is answered.
func liteAnswers(t *testing.T, port int) {
	t.Helper()
	lctx, lcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer lcancel()
	cl, err := clientlite.Connect(lctx, clientlite.Options{Addr: "127.0.0.1", Port: port, Name: "Lite", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("ClientLite cannot connect: %v", err)
	}
	v, err := cl.Call("echo/echo", "still up")
	cl.Disconnect()
	if err != nil || v != "still up" {
		t.Fatalf("ClientLite: %v %v", v, err)
	}
}
