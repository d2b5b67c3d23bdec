package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/responder"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

func init() {
	register("serve", "run a kernel with an IKC server and the echo, time and kernel sessions", cmdServe)
}

// The sessions `ikc serve` publishes, and their states.
var servePublished = map[string][]string{
	"echo":   {"echo"},
	"time":   {"now", "unix"},
	"kernel": {"info", "sessions", "aliases", "queue", "connections", "counters", "watch", "unwatch"},
}

func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "", stderr)
	addr := fs.String("addr", "127.0.0.1", "address to listen on, or host:port (0.0.0.0 listens everywhere)")
	port := fs.Int("port", defaultPort, "TCP port to listen on; 0 picks a free one")
	unixPath := fs.String("unix", "", "listen on this unix-domain socket path instead of TCP")
	name := fs.String("name", "Server", "this kernel's IKC name")
	protocol := fs.String("protocol", "IKC0", "negotiation to expect first: IKC0 or IKC")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("serve takes no arguments")
	}
	host, p, err := splitAddr(*addr, *port)
	if err != nil {
		return err
	}
	if *protocol != "IKC0" && *protocol != "IKC" {
		return usageError("--protocol must be IKC0 or IKC, not %q", *protocol)
	}
	if *name == "" {
		return usageError("--name must not be empty")
	}
	k, err := kernel.New(kernel.WithName(*name))
	if err != nil {
		return err
	}
	defer k.Close()
	s := &serveState{out: stdout, started: time.Now(), names: map[string]string{},
		requests: map[string]int{}, watchers: map[string]bool{}}
	responder.Spawn(k, responder.WithLogger(newLineLogger(stderr, "ikc serve: IKC: ")))
	bound, err := server.Spawn(k, server.Options{
		Address: host, Port: p, Unix: *unixPath, Name: *name,
		Protocol: channel.Protocol(*protocol),
		OnError:  s.serverError(k),
	})
	if err != nil {
		return err
	}
	ready := map[string]any{"name": *name, "pid": os.Getpid()}
	if *unixPath != "" {
		ready["listening"] = "unix:" + *unixPath
		ready["unix"] = *unixPath
	} else {
		ready["listening"] = net.JoinHostPort(host, strconv.Itoa(bound))
		ready["addr"] = host
		ready["port"] = bound
	}
	s.ready, _ = json.Marshal(ready)
	s.createSessions(k)
	if err := k.Run(); err != nil {
		return err
	}
	return s.failed
}

// serverError is the server's OnError: failing to listen stops the kernel
// and makes serve fail; other errors (a failed accept, a connection that
// broke before it registered) are logged.
func (s *serveState) serverError(k *kernel.Kernel) func(op string, errno int, text string) {
	return func(op string, errno int, text string) {
		switch op {
		case "socket", "setsockopt", "bind", "listen", "inet_aton", "getaddrinfo":
			if s.failed == nil {
				s.failed = fmt.Errorf("%s: %s", op, text)
			}
			k.Post("ikc serve", "signal", "")
		default:
			s.errors++
			s.logf("error %s: %s", op, text)
		}
	}
}

// splitAddr reads --addr as a host or host:port; a port given there wins
// over --port.
func splitAddr(addr string, port int) (string, int, error) {
	if h, p, err := net.SplitHostPort(addr); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return "", 0, usageError("bad port in --addr %q", addr)
		}
		return h, n, nil
	}
	if port < 0 || port > 65535 {
		return "", 0, usageError("--port %d is out of range", port)
	}
	return addr, port, nil
}

// serveState is what the serve sessions share; they all run on the one
// kernel goroutine, so it needs no lock.
type serveState struct {
	out                           io.Writer
	started                       time.Time
	names                         map[string]string // registered kernel ID -> its name
	requests                      map[string]int    // "session/state" -> requests served
	watchers                      map[string]bool   // remote specifiers told of registrations
	connects, disconnects, errors int
	ready                         []byte // the announcement, printed once the server listens
	failed                        error  // why the server could not listen
}

// logf writes one timestamped log line.
func (s *serveState) logf(format string, args ...any) {
	fmt.Fprintf(s.out, "%s %s\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), fmt.Sprintf(format, args...))
}

// counted wraps a published state's handler so that it is counted.
func (s *serveState) counted(session, state string, h kernel.Handler) kernel.Handler {
	key := session + "/" + state
	return func(e *kernel.Event) any {
		s.requests[key]++
		return h(e)
	}
}

func (s *serveState) createSessions(k *kernel.Kernel) {
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("echo")
			e.Kernel.Post("IKC", "publish", "echo", servePublished["echo"])
			return nil
		},
		"_shutdown": removeAliases,
		// echo returns its argument. An IKC handler that returns undef
		// sends no answer, so no argument is answered with "".
		"echo": s.counted("echo", "echo", func(e *kernel.Event) any {
			if e.Arg(0) == nil {
				return ""
			}
			return e.Arg(0)
		}),
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("time")
			e.Kernel.Post("IKC", "publish", "time", servePublished["time"])
			return nil
		},
		"_shutdown": removeAliases,
		"now": s.counted("time", "now", func(*kernel.Event) any {
			return time.Now().UTC().Format(time.RFC3339Nano)
		}),
		"unix": s.counted("time", "unix", func(*kernel.Event) any { return time.Now().Unix() }),
	}})
	k.Create(kernel.Session{States: s.kernelStates()})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("ikc serve")
			e.Kernel.Sig("INT", "signal")
			e.Kernel.Sig("TERM", "signal")
			e.Kernel.Post("IKC", "monitor", "*", map[string]string{
				"register": "register", "unregister": "unregister", "error": "error",
			})
			// A listening failure is posted by the server before this
			// yield, so "ready" knows whether the server listens.
			e.Kernel.Yield("ready")
			return nil
		},
		"ready": func(e *kernel.Event) any {
			if s.failed == nil {
				fmt.Fprintln(s.out, string(s.ready))
			}
			return nil
		},
		"register":   s.register,
		"unregister": s.unregister,
		"error": func(e *kernel.Event) any {
			op, text := e.ArgString(4), e.ArgString(5)
			if !isEOF(op, text) {
				s.errors++
				s.logf("error %s %s: %s", e.ArgString(1), op, text)
			}
			return nil
		},
		"signal": func(e *kernel.Event) any {
			if sig := e.ArgString(0); sig != "" {
				e.Kernel.SigHandled()
				s.logf("stop SIG%s", sig)
			}
			e.Kernel.Sig("INT", "")
			e.Kernel.Sig("TERM", "")
			for _, a := range []string{"echo", "time", "kernel", "ikc serve"} {
				if sess := e.Kernel.AliasResolve(a); sess != nil {
					e.Kernel.Post(sess, "_shutdown")
				}
			}
			e.Kernel.Post("IKC", "shutdown")
			return nil
		},
		"_shutdown": removeAliases,
	}})
}

// removeAliases lets a session end once nothing else holds it.
func removeAliases(e *kernel.Event) any {
	for _, a := range e.Kernel.AliasList(nil) {
		e.Kernel.AliasRemove(a)
	}
	return nil
}

// register logs a kernel that connected (once, under its ID) and tells
// the watchers.
func (s *serveState) register(e *kernel.Event) any {
	if e.Arg(2) == nil {
		return nil
	}
	id := e.ArgString(1)
	name := peerName(responder.Get(e.Kernel), id)
	s.names[id] = name
	s.connects++
	if pid := knownPID(e.Arg(4)); pid != nil {
		s.logf("register %s id=%s pid=%v", name, id, pid)
	} else {
		s.logf("register %s id=%s", name, id)
	}
	s.tell(e.Kernel, "register", name, id)
	return nil
}

func (s *serveState) unregister(e *kernel.Event) any {
	if e.Arg(2) == nil {
		return nil
	}
	id := e.ArgString(1)
	name := s.names[id]
	if name == "" {
		name = id
	}
	delete(s.names, id)
	s.disconnects++
	s.logf("unregister %s id=%s", name, id)
	s.tell(e.Kernel, "unregister", name, id)
	return nil
}

// tell posts a registration event to every watcher: ARG0 a hash with the
// event, the kernel's name and ID, and the time.
func (s *serveState) tell(k *kernel.Kernel, event, name, id string) {
	if len(s.watchers) == 0 {
		return
	}
	ev := map[string]any{"event": event, "kernel": name, "id": id,
		"time": time.Now().UTC().Format(time.RFC3339Nano), "via": k.Name()}
	for spec := range s.watchers {
		if spec == "" {
			continue
		}
		// A watcher on the kernel that just left cannot hear it.
		if strings.HasPrefix(spec, "poe://"+name+"/") || strings.HasPrefix(spec, "poe://"+id+"/") {
			if event == "unregister" {
				delete(s.watchers, spec)
				continue
			}
		}
		k.Post("IKC", "post", spec, ev)
	}
}

// newLineLogger is a logger that writes plain lines with prefix.
func newLineLogger(w io.Writer, prefix string) *log.Logger {
	return log.New(w, prefix, 0)
}

// knownPID is the PID a registering kernel sent, or nil when it sent none
// (the legacy negotiation) or 0.
func knownPID(v any) any {
	if v == nil || asInt64(v) == 0 {
		return nil
	}
	return v
}

// kernelStates is the introspection session "kernel".
func (s *serveState) kernelStates() kernel.States {
	st := kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("kernel")
			e.Kernel.Post("IKC", "publish", "kernel", servePublished["kernel"])
			return nil
		},
		"_shutdown": removeAliases,
	}
	parts := map[string]func(*kernel.Kernel) any{
		"sessions":    s.sessions,
		"aliases":     s.aliases,
		"queue":       func(k *kernel.Kernel) any { return int64(k.GetEventCount()) },
		"connections": s.connections,
		"counters":    s.counters,
	}
	for name, f := range parts {
		st[name] = s.counted("kernel", name, func(e *kernel.Event) any { return f(e.Kernel) })
	}
	st["info"] = s.counted("kernel", "info", func(e *kernel.Event) any {
		info := map[string]any{
			"name": e.Kernel.Name(), "id": e.Kernel.ID(), "pid": int64(os.Getpid()),
			"uptime": time.Since(s.started).Round(time.Millisecond).String(),
		}
		for name, f := range parts {
			info[name] = f(e.Kernel)
		}
		return info
	})
	// watch and unwatch take a specifier (poe://Kernel/session/state) that
	// is posted a hash for every kernel that registers or unregisters here;
	// `ikc monitor` uses them to see a server's other clients.
	st["watch"] = s.counted("kernel", "watch", func(e *kernel.Event) any {
		spec := e.ArgString(0)
		if !strings.HasPrefix(spec, "poe:") {
			return "want a specifier poe://Kernel/session/state"
		}
		s.watchers[spec] = true
		return "watching"
	})
	st["unwatch"] = s.counted("kernel", "unwatch", func(e *kernel.Event) any {
		delete(s.watchers, e.ArgString(0))
		return "unwatched"
	})
	return st
}

// sessions lists every session of the kernel: ID, parent and aliases.
func (s *serveState) sessions(k *kernel.Kernel) any {
	var out []any
	var walk func(*kernel.Session)
	walk = func(p *kernel.Session) {
		for _, c := range p.Children() {
			aliases := k.AliasList(c)
			if aliases == nil {
				aliases = []string{}
			}
			out = append(out, map[string]any{
				"id": int64(c.ID()), "parent": int64(p.ID()), "aliases": toAnyList(aliases),
			})
			walk(c)
		}
	}
	walk(k.Session())
	sort.Slice(out, func(i, j int) bool {
		return out[i].(map[string]any)["id"].(int64) < out[j].(map[string]any)["id"].(int64)
	})
	return out
}

// aliases maps every alias of the kernel to its session's ID.
func (s *serveState) aliases(k *kernel.Kernel) any {
	out := map[string]any{}
	var walk func(*kernel.Session)
	walk = func(p *kernel.Session) {
		for _, c := range p.Children() {
			for _, a := range k.AliasList(c) {
				out[a] = int64(c.ID())
			}
			walk(c)
		}
	}
	walk(k.Session())
	return out
}

// connections maps every registered remote kernel's name to its ID and
// aliases. The local kernel is left out.
func (s *serveState) connections(k *kernel.Kernel) any {
	out := map[string]any{}
	r := responder.Get(k)
	if r == nil {
		return out
	}
	for id, aliases := range r.Kernels() { // one lock per call: fine for a report
		if id == k.ID() {
			continue
		}
		out[peerName(r, id)] = map[string]any{"id": id, "aliases": toAnyList(aliases)}
	}
	return out
}

func (s *serveState) counters(k *kernel.Kernel) any {
	req := map[string]any{}
	for key, n := range s.requests {
		req[key] = int64(n)
	}
	return map[string]any{
		"connects": int64(s.connects), "disconnects": int64(s.disconnects),
		"errors": int64(s.errors), "requests": req, "watchers": int64(len(s.watchers)),
		"sessions": int64(k.SessionCount()),
	}
}

func toAnyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
