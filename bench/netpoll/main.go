// Command netpoll is the echo server on github.com/cloudwego/netpoll, in
// its own module so that the main module does not depend on it. It writes
// back whatever it reads.
//
//	netpoll [-port N]
//
// It listens on 127.0.0.1, prints "LISTEN <port>" and serves until killed.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"

	"github.com/cloudwego/netpoll"
)

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any)")
	flag.Parse()
	if err := serve(*port); err != nil {
		fmt.Fprintln(os.Stderr, "netpoll:", err)
		os.Exit(1)
	}
}

func serve(port int) error {
	ln, err := netpoll.CreateListener("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	loop, err := netpoll.NewEventLoop(echo)
	if err != nil {
		return err
	}
	fmt.Printf("LISTEN %d\n", ln.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	return loop.Serve(ln)
}

// echo copies what is buffered to the connection's output and flushes it.
func echo(_ context.Context, c netpoll.Connection) error {
	r, w := c.Reader(), c.Writer()
	n := r.Len()
	if n == 0 {
		return nil
	}
	in, err := r.Next(n)
	if err != nil {
		return err
	}
	out, err := w.Malloc(n)
	if err != nil {
		return err
	}
	copy(out, in)
	if err := r.Release(); err != nil {
		return err
	}
	return w.Flush()
}
