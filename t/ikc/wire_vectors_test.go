// This file is IKC's wire compatibility with recorded Perl sessions (it
// mirrors no single Perl test): for every capture of a real Perl
// connection in testdata/vectors (Storable, and FreezeThaw in IKC0), the captured client lines are played
// against a live Go Server and its lines compared byte for byte with the
// captured server lines, and the captured server lines are played to a
// live Go Client (or ClientLite) and its lines compared with the captured
// client lines; kernel IDs, transport names and PIDs are substituted.
// Then one captured request frame is sent and the answer must decode to
// the captured answer's structure. Every line must arrive with its CR LF
// in one write: no line may straddle two reads.
package ikc_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/clientlite"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/freezethaw"
	"github.com/poe-go/poe/poe/serial/storable"
)

// captureItem is one line or frame of a capture.
type captureItem struct {
	Seq        int    `json:"seq"`
	Dir        string `json:"dir"`
	Kind       string `json:"kind"`
	Text       string `json:"text"`
	PayloadHex string `json:"payload_hex"`
}

func loadItems(t *testing.T, name string) []captureItem {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vectors", name+".index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Items []captureItem `json:"items"`
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatal(err)
	}
	return idx.Items
}

var (
	kernelIDRe  = regexp.MustCompile(`vm-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}`)
	hostPortRe  = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	pidRe       = regexp.MustCompile(`PID=\d+`)
	vectorNames = []string{
		"ikc0-storable", "ikc-storable", "ikc-client-ikc0-server-storable",
		"ikc0-client-ikc-server-storable", "lite-ikc0-storable", "lite-ikc-storable",
		"ikc0-freezethaw",
	}
)

// serializerOf is the serializer a capture's kernels negotiated.
func serializerOf(name string) serial.Serializer {
	if strings.HasSuffix(name, "-freezethaw") {
		return freezethaw.Default
	}
	return storable.Default
}

// subst turns a captured line of one side into what the Go peer in that
// role must send: its kernel ID, its transport name and its PID.
type subst struct {
	kernelID, hostPort string
}

func (s subst) line(l string) string {
	l = kernelIDRe.ReplaceAllString(l, s.kernelID)
	l = hostPortRe.ReplaceAllString(l, s.hostPort)
	return pidRe.ReplaceAllString(l, "PID="+strconv.Itoa(os.Getpid()))
}

// value substitutes the kernel IDs inside a thawed record.
func (s subst) value(v any, old, new string) any {
	return serial.MapLeaves(v, func(v any) any {
		if x, ok := v.(string); ok {
			return strings.ReplaceAll(x, old, new)
		}
		return v
	})
}

// wire reads one side of a connection, remembering where each read ended.
type wire struct {
	t      *testing.T
	ser    serial.Serializer // the frames' serializer
	conn   net.Conn
	buf    []byte
	bounds []int // offsets in buf (since the last consume) where a read ended
}

func (w *wire) fill() error {
	chunk := make([]byte, 64<<10)
	w.conn.SetReadDeadline(time.Now().Add(wait))
	n, err := w.conn.Read(chunk)
	if n > 0 {
		w.buf = append(w.buf, chunk[:n]...)
		w.bounds = append(w.bounds, len(w.buf))
	}
	return err
}

func (w *wire) consume(n int) {
	w.buf = w.buf[n:]
	var b []int
	for _, x := range w.bounds {
		if x-n > 0 {
			b = append(b, x-n)
		}
	}
	w.bounds = b
}

// line reads one CR LF line and fails when it came in two reads.
func (w *wire) line() string {
	w.t.Helper()
	for !bytes.Contains(w.buf, []byte("\r\n")) {
		if err := w.fill(); err != nil {
			w.t.Fatalf("reading a line (have %q): %v", w.buf, err)
		}
	}
	end := bytes.Index(w.buf, []byte("\r\n")) + 2
	// Read boundaries ascend, so the first one alone tells whether a
	// boundary falls inside the line.
	if len(w.bounds) > 0 && w.bounds[0] < end {
		w.t.Errorf("line %q was split across writes at byte %d", w.buf[:end], w.bounds[0])
	}
	l := string(w.buf[:end-2])
	w.consume(end)
	return l
}

// frame reads one "<length>\0<payload>" frame and thaws it with w.ser.
func (w *wire) frame() any {
	w.t.Helper()
	for {
		if i := bytes.IndexByte(w.buf, 0); i >= 0 {
			n, err := strconv.Atoi(string(w.buf[:i]))
			if err != nil {
				w.t.Fatalf("bad frame header %q", w.buf[:i])
			}
			if len(w.buf) >= i+1+n {
				v, err := w.ser.Thaw(w.buf[i+1 : i+1+n])
				if err != nil {
					w.t.Fatalf("thaw: %v", err)
				}
				w.consume(i + 1 + n)
				return v
			}
		}
		if err := w.fill(); err != nil {
			w.t.Fatalf("reading a frame: %v", err)
		}
	}
}

func frameBytes(t *testing.T, ser serial.Serializer, v any) []byte {
	t.Helper()
	b, err := ser.Freeze(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(strconv.Itoa(len(b))+"\x00"), b...)
}

func thawHex(t *testing.T, ser serial.Serializer, h string) any {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ser.Thaw(b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// exchange is a capture's negotiation lines, its first request frame
// after negotiation and the answer to it.
type exchange struct {
	ser              serial.Serializer
	lines            []captureItem
	request, answer  any
	clientID, srvID  string
	lite, clientIKC0 bool
}

func loadExchange(t *testing.T, name string) exchange {
	items := loadItems(t, name)
	x := exchange{ser: serializerOf(name), lite: strings.HasPrefix(name, "lite-")}
	for i, it := range items {
		switch {
		case it.Kind == "line":
			x.lines = append(x.lines, it)
		case x.request == nil && it.Dir == "c2s":
			x.request = thawHex(t, x.ser, it.PayloadHex)
			for _, a := range items[i+1:] {
				if a.Kind == "frame" && a.Dir == "s2c" {
					x.answer = thawHex(t, x.ser, a.PayloadHex)
					break
				}
			}
		}
	}
	for _, l := range x.lines {
		id := kernelIDRe.FindString(l.Text)
		if l.Dir == "c2s" && x.clientID == "" {
			x.clientID = id
		}
		if l.Dir == "s2c" && x.srvID == "" {
			x.srvID = id
		}
	}
	x.clientIKC0 = strings.HasPrefix(x.lines[0].Text, "SETUP")
	return x
}

// serverProtocol is what the Perl server of a capture expected.
func serverProtocol(name string) channel.Protocol {
	if name == "ikc-storable" || strings.Contains(name, "ikc-server") {
		return channel.IKC
	}
	return channel.IKC0
}

// echoServer runs a Go server kernel named Server with a session echo
// publishing echo.
func echoServer(t *testing.T, proto channel.Protocol) (*running, int) {
	k := kernel.MustNew(kernel.WithName("Server"))
	ports := make(chan int, 1)
	r := boot(k, func(e *kernel.Event) {
		port, err := server.Spawn(e.Kernel, server.Options{Name: "Server", Protocol: proto, NegotiationTimeout: wait})
		if err != nil {
			t.Error(err)
		}
		e.Kernel.Create(kernel.Session{States: kernel.States{
			"_start": func(e *kernel.Event) any {
				e.Kernel.AliasSet("echo")
				e.Kernel.Call(responder.Alias, "publish", "echo", []string{"echo"})
				e.Kernel.Post(responder.Alias, "monitor", "*", map[string]string{"shutdown": "bye"})
				return nil
			},
			"echo": func(e *kernel.Event) any { return e.Arg(0) },
			"bye":  func(e *kernel.Event) any { e.Kernel.AliasRemove("echo"); return nil },
		}})
		ports <- port
	})
	select {
	case p := <-ports:
		return r, p
	case <-time.After(wait):
		t.Fatal("the server did not start")
	}
	return nil, 0
}

func TestGoServerAnswersPerlClientsByteForByte(t *testing.T) {
	for _, name := range vectorNames {
		t.Run("the Go server answers the client of "+name, func(t *testing.T) {
			t.Parallel()
			x := loadExchange(t, name)
			srv, port := echoServer(t, serverProtocol(name))
			defer func() {
				srv.k.Post(responder.Alias, "shutdown")
				srv.end(t, "server")
			}()
			conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), wait)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			w := &wire{t: t, ser: x.ser, conn: conn}
			me := subst{kernelID: srv.k.ID(), hostPort: "127.0.0.1:" + strconv.Itoa(port)}
			for _, l := range x.lines {
				if l.Dir == "c2s" {
					if _, err := conn.Write([]byte(l.Text + "\r\n")); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want := me.line(l.Text)
				if got := w.line(); got != want {
					t.Fatalf("line %d: the Go server sent %q, Perl sent %q (substituted)", l.Seq, got, want)
				}
			}
			// The request names the Perl server's kernel ID (ClientLite
			// after the legacy dialogue) or its name Server.
			req := me.value(x.request, x.srvID, srv.k.ID())
			if _, err := conn.Write(frameBytes(t, x.ser, req)); err != nil {
				t.Fatal(err)
			}
			got := w.frame()
			want := me.value(x.answer, x.srvID, srv.k.ID())
			if !reflect.DeepEqual(got, want) {
				t.Errorf("answer to %v:\n got %#v\nwant %#v", req, got, want)
			}
		})
	}
}

func TestGoClientsTalkToPerlServersByteForByte(t *testing.T) {
	for _, name := range vectorNames {
		t.Run("the Go client speaks as the client of "+name, func(t *testing.T) {
			t.Parallel()
			x := loadExchange(t, name)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			port := ln.Addr().(*net.TCPAddr).Port
			proto := channel.IKC
			if x.clientIKC0 {
				proto = channel.IKC0
			}

			var cli *running
			var lite *clientlite.Client
			liteErr := make(chan error, 1)
			liteName := "Lite"
			if x.lite {
				// ClientLite's call is the request: it runs once the
				// negotiation is done.
				go func() {
					ctx, cancel := context.WithTimeout(context.Background(), wait)
					defer cancel()
					lc, err := clientlite.Connect(ctx, clientlite.Options{Addr: "127.0.0.1", Port: port, Name: liteName,
						Protocol: proto, Serializer: x.ser.Name(), Timeout: wait})
					if err != nil {
						liteErr <- err
						return
					}
					lite = lc
					if ev, _ := x.request.(map[string]any)["event"].(string); strings.HasSuffix(ev, "/IKC/ping") {
						liteErr <- lc.Ping()
						return
					}
					v, err := lc.Call("echo/echo", "hello world")
					if err == nil && v != "hello world" {
						err = fmt.Errorf("call returned %#v", v)
					}
					liteErr <- err
				}()
			} else {
				k := kernel.MustNew(kernel.WithName("Client"))
				cli = boot(k, func(e *kernel.Event) {
					_, err := client.Spawn(e.Kernel, client.Options{Port: port, Name: "Client", Protocol: proto,
						Serializers: []string{x.ser.Name()}, ConnectTimeout: wait, NegotiationTimeout: wait,
						OnError: func(op string, errno int, text string) {
							if op != "read" { // the end of the test closes the connection
								t.Errorf("client error %s %d %s", op, errno, text)
							}
						}})
					if err != nil {
						t.Error(err)
					}
				})
				defer func() {
					cli.k.Post(responder.Alias, "shutdown")
					cli.end(t, "client")
				}()
			}
			ln.(*net.TCPListener).SetDeadline(time.Now().Add(wait))
			conn, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			w := &wire{t: t, ser: x.ser, conn: conn}
			me := subst{hostPort: conn.RemoteAddr().String()}
			if cli != nil {
				me.kernelID = cli.k.ID()
			}
			for _, l := range x.lines {
				if l.Dir == "s2c" {
					if _, err := conn.Write([]byte(l.Text + "\r\n")); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want := me.line(l.Text)
				if got := w.line(); got != want {
					t.Fatalf("line %d: the Go client sent %q, Perl sent %q (substituted)", l.Seq, got, want)
				}
			}
			if x.lite {
				// ClientLite's first request is the captured one (the
				// rsvp counter starts at 0 as Perl's does).
				got := w.frame()
				if !reflect.DeepEqual(got, x.request) {
					t.Errorf("request:\n got %#v\nwant %#v", got, x.request)
				}
				conn.Write(frameBytes(t, x.ser, x.answer))
				select {
				case err := <-liteErr:
					if err != nil {
						t.Error(err)
					}
				case <-time.After(wait):
					t.Fatal("ClientLite did not finish")
				}
				if lite != nil {
					lite.Disconnect()
				}
				return
			}
			// The Go client answers the captured ping as Perl's server did;
			// the roles are swapped, so the request names the client's
			// kernel and its rsvp the server's.
			req := me.value(x.request, "poe://Server/", "poe://Client/").(map[string]any)
			req["rsvp"].(map[string]any)["kernel"] = "Server"
			if _, err := conn.Write(frameBytes(t, x.ser, req)); err != nil {
				t.Fatal(err)
			}
			got := w.frame()
			want := me.value(x.answer, x.srvID, cli.k.ID()).(map[string]any)
			want["event"].(map[string]any)["kernel"] = "Server"
			if !reflect.DeepEqual(got, want) {
				t.Errorf("answer to %v:\n got %#v\nwant %#v", req, got, want)
			}
		})
	}
}
