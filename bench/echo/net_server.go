package main

import (
	"bufio"
	"io"
	"net"
)

// serveNet is the plain Go server: a goroutine per connection, reading
// lines with bufio and flushing when no more input is buffered (so that
// pipelined lines leave in one write, as the POE wheel coalesces them), or
// io.Copy for stream.
func serveNet(port int, stream bool) error {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		return err
	}
	announce(ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			return err
		}
		if stream {
			go func() { io.Copy(c, c); c.Close() }()
		} else {
			go echoLines(c)
		}
	}
}

func echoLines(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	w := bufio.NewWriterSize(c, 64<<10)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		if _, err := w.Write(line); err != nil {
			return
		}
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}
