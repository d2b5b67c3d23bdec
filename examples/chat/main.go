// Command chat is a line-based TCP chat server, the classic first POE
// program: a SocketFactory wheel listens, each accepted connection gets its
// own session with a ReadWrite wheel and Filter::Line, and every line a user
// types is put to every other user's wheel. Sessions find each other
// through a registry in the listening session's heap, as a POE program
// would keep a hash of wheels. Try it with `go run ./examples/chat` and two
// `nc 127.0.0.1 3000` in other terminals.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"sort"
	"strings"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// room is the listening session's heap: who is connected.
type room struct {
	users map[int]*wheel.ReadWrite // session ID -> its wheel
	names map[int]string
}

// broadcast puts line to every user but the one with ID from.
func (r *room) broadcast(from int, line string) {
	for id, rw := range r.users {
		if id != from {
			rw.Put(line)
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 3000, "TCP port; 0 picks a free one")
	runFor := flag.Duration("for", 0, "stop after this long (0: run until interrupted)")
	flag.Parse()
	log.SetFlags(0)

	k := kernel.MustNew()
	defer k.Close()
	r := &room{users: map[int]*wheel.ReadWrite{}, names: map[int]string{}}
	var listener *wheel.SocketFactory
	k.Create(kernel.Session{Heap: r, States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("chat")
			e.Kernel.Sig("INT", "shutdown")
			if *runFor > 0 {
				e.Kernel.Delay("shutdown", *runFor)
			}
			var err error
			listener, err = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				BindAddress: *addr, BindPort: *port, Reuse: true,
				SuccessEvent: "accepted", FailureEvent: "failed",
			})
			if err != nil {
				log.Fatal(err)
			}
			if a, err := listener.GetSockName(); err == nil {
				fmt.Printf("chat: listening on %s\n", a.(*net.TCPAddr))
			}
			return nil
		},
		// accepted is SuccessEvent: ARG0 the new socket.
		"accepted": func(e *kernel.Event) any {
			e.Kernel.Create(user(r, e.ArgInt(0)))
			return nil
		},
		"failed": func(e *kernel.Event) any {
			fmt.Fprintf(os.Stderr, "chat: %s: %s\n", e.ArgString(0), e.ArgString(2))
			os.Exit(1)
			return nil
		},
		"shutdown": func(e *kernel.Event) any {
			e.Kernel.SigHandled()
			e.Kernel.Sig("INT", "")
			listener.Close()
			e.Kernel.AliasRemove("chat")
			for id := range r.users {
				e.Kernel.Post(id, "quit")
			}
			fmt.Println("chat: shutting down")
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		log.Fatal(err)
	}
}

// user is the session of one connection. Its wheel delivers each line to
// "said" and the end of the connection to "gone".
func user(r *room, fd int) kernel.Session {
	var rw *wheel.ReadWrite
	return kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			rw, err = wheel.NewReadWrite(e, wheel.ReadWriteOptions{
				Handle:     fd,
				Filter:     filter.NewLine(),
				InputEvent: "said", ErrorEvent: "gone",
			})
			if err != nil {
				return err
			}
			id := e.Session.ID()
			r.users[id] = rw
			r.names[id] = fmt.Sprintf("user%d", id)
			rw.Put(fmt.Sprintf("welcome, %s; %d here: %s. /nick NAME to rename, /quit to leave",
				r.names[id], len(r.users), strings.Join(sortedNames(r), ", ")))
			r.broadcast(id, "* "+r.names[id]+" joined")
			return nil
		},
		"said": func(e *kernel.Event) any {
			id, line := e.Session.ID(), strings.TrimSpace(e.ArgString(0))
			switch {
			case line == "":
			case line == "/quit":
				e.Kernel.Yield("quit")
			case strings.HasPrefix(line, "/nick "):
				old := r.names[id]
				r.names[id] = strings.TrimSpace(strings.TrimPrefix(line, "/nick "))
				r.broadcast(-1, "* "+old+" is now "+r.names[id])
			default:
				r.broadcast(id, r.names[id]+": "+line)
			}
			return nil
		},
		// quit says goodbye and waits for the output to drain.
		"quit": func(e *kernel.Event) any {
			if rw.GetDriverOutOctets() == 0 {
				rw.Put("bye")
			}
			rw.Event("FlushedEvent", "gone")
			return nil
		},
		"gone": func(e *kernel.Event) any {
			id := e.Session.ID()
			if _, ok := r.users[id]; !ok {
				return nil
			}
			delete(r.users, id)
			r.broadcast(id, "* "+r.names[id]+" left")
			delete(r.names, id)
			rw.Close()
			return nil
		},
	}}
}

func sortedNames(r *room) []string {
	var out []string
	for _, n := range r.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
