package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/poe/kernel"
)

func init() {
	register("monitor", "connect and print kernels registering and unregistering as they happen", cmdMonitor)
}

// monitorLine is one event `ikc monitor` prints.
type monitorLine struct {
	Time   string `json:"time"`
	Event  string `json:"event"`            // register, unregister, watching
	Kernel string `json:"kernel"`           // the kernel's name
	ID     string `json:"id,omitempty"`     // its kernel ID
	PID    any    `json:"pid,omitempty"`    // its process, when it said
	Via    string `json:"via,omitempty"`    // the server that reported it, for the server's other clients
	Detail string `json:"detail,omitempty"` // anything else
}

func cmdMonitor(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("monitor", "", stderr)
	var lf liteFlags
	lf.add(fs)
	asJSON := fs.Bool("json", false, "print each event as a JSON object")
	forTime := fs.Duration("for", 0, "stop after this long (0: until interrupted or the server goes away)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("monitor takes no arguments")
	}
	if lf.name == "" {
		lf.name = "Monitor" + strconv.Itoa(os.Getpid())
	}
	host, port, err := splitAddr(lf.addr, lf.port)
	if err != nil {
		return err
	}
	if lf.unix == "" && port == 0 {
		return usageError("--port 0 names no server; give the server's port")
	}
	k, err := kernel.New(kernel.WithName(lf.name))
	if err != nil {
		return err
	}
	defer k.Close()
	m := &monitorState{out: stdout, json: *asJSON, name: lf.name, ids: map[string]string{}}
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("monitor")
			e.Kernel.Sig("INT", "stop")
			e.Kernel.Sig("TERM", "stop")
			if *forTime > 0 {
				e.Kernel.Delay("stop", *forTime)
			}
			responder.Spawn(e.Kernel, responder.WithLogger(newLineLogger(stderr, "ikc monitor: IKC: ")))
			e.Kernel.Post("IKC", "publish", "monitor", []string{"remote"})
			e.Kernel.Post("IKC", "monitor", "*", map[string]string{
				"register": "register", "unregister": "unregister", "error": "error",
			})
			_, err := client.Spawn(e.Kernel, client.Options{
				Address: host, Port: port, Unix: lf.unix, Name: lf.name,
				Protocol: channel.Protocol(lf.protocol), ConnectTimeout: lf.timeout,
				OnError: func(op string, errno int, text string) {
					m.err = fmt.Errorf("%s %s: %s", op, target(lf), text)
					k.Post("monitor", "stop")
				},
			})
			if err != nil {
				m.err = err
				e.Kernel.Yield("stop")
			}
			return nil
		},
		"register":   m.register,
		"unregister": m.unregister,
		"remote":     m.remote,
		"watching": func(e *kernel.Event) any {
			m.print(monitorLine{Event: "watching", Kernel: m.server,
				Detail: "the server reports its other clients"})
			return nil
		},
		"error": func(e *kernel.Event) any {
			op, text := e.ArgString(4), e.ArgString(5)
			switch {
			case isEOF(op, text):
			case strings.HasPrefix(op, "remote-") && strings.Contains(text, "kernel"):
				// Not an `ikc serve`: it cannot report its other clients.
			default:
				fmt.Fprintf(stderr, "ikc monitor: %s %s: %s\n", e.ArgString(1), op, text)
			}
			return nil
		},
		"stop": func(e *kernel.Event) any {
			if e.ArgString(0) != "" && e.ArgString(0) != "stop" {
				e.Kernel.SigHandled()
			}
			e.Kernel.Sig("INT", "")
			e.Kernel.Sig("TERM", "")
			e.Kernel.Delay("stop", -1)
			e.Kernel.Post("IKC", "shutdown")
			e.Kernel.AliasRemove("monitor")
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		return err
	}
	return m.err
}

// monitorState belongs to the monitor kernel's goroutine.
type monitorState struct {
	out    io.Writer
	json   bool
	name   string            // this kernel's name
	server string            // the first kernel registered: the one connected to
	ids    map[string]string // kernel ID -> name
	err    error
}

func (m *monitorState) print(l monitorLine) {
	l.Time = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	if m.json {
		b, _ := json.Marshal(l)
		fmt.Fprintln(m.out, string(b))
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %-10s %s", l.Time, l.Event, l.Kernel)
	if l.ID != "" && l.ID != l.Kernel {
		fmt.Fprintf(&sb, " id=%s", l.ID)
	}
	if l.PID != nil {
		fmt.Fprintf(&sb, " pid=%v", l.PID)
	}
	if l.Via != "" {
		fmt.Fprintf(&sb, " via=%s", l.Via)
	}
	if l.Detail != "" {
		fmt.Fprintf(&sb, " (%s)", l.Detail)
	}
	fmt.Fprintln(m.out, sb.String())
}

// register is the IKC monitor's register event: a kernel connected to this
// one. The first is the server; it is asked to report its other clients.
func (m *monitorState) register(e *kernel.Event) any {
	if e.Arg(2) == nil { // an alias; the ID came first
		return nil
	}
	id := e.ArgString(1)
	name := peerName(responder.Get(e.Kernel), id)
	m.ids[id] = name
	m.print(monitorLine{Event: "register", Kernel: name, ID: id, PID: knownPID(e.Arg(4))})
	if m.server == "" {
		m.server = name
		e.Kernel.Post("IKC", "call", "poe://"+name+"/kernel/watch",
			"poe://"+m.name+"/monitor/remote", "poe:watching")
	}
	return nil
}

func (m *monitorState) unregister(e *kernel.Event) any {
	if e.Arg(2) == nil {
		return nil
	}
	id := e.ArgString(1)
	name := m.ids[id]
	if name == "" {
		name = id
	}
	delete(m.ids, id)
	m.print(monitorLine{Event: "unregister", Kernel: name, ID: id})
	if name == m.server {
		m.server = ""
		e.Kernel.Yield("stop")
	}
	return nil
}

// remote is what an `ikc serve` posts about its other clients.
func (m *monitorState) remote(e *kernel.Event) any {
	ev, ok := e.Arg(0).(map[string]any)
	if !ok {
		return nil
	}
	str := func(k string) string { s, _ := ev[k].(string); return s }
	if str("id") == "" || str("kernel") == m.name {
		return nil
	}
	m.print(monitorLine{Event: str("event"), Kernel: str("kernel"), ID: str("id"), Via: str("via")})
	return nil
}
