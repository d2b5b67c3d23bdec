package main

import (
	"errors"
	"net"

	"github.com/poe-go/poe/poe/filter"
	"github.com/poe-go/poe/poe/kernel"
	"github.com/poe-go/poe/poe/wheel"
)

// servePOE is the POE echo server as a POE program writes it: a listening
// session with a SocketFactory, and one session per connection owning a
// ReadWrite that puts back each record it gets.
func servePOE(port int, stream bool) error {
	k, err := kernel.New(kernel.WithName("echo"))
	if err != nil {
		return err
	}
	defer k.Close()
	var failure error
	var listener *wheel.SocketFactory
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			listener, err = wheel.NewSocketFactory(e, wheel.SocketFactoryOptions{
				BindAddress:  "127.0.0.1",
				BindPort:     port,
				Reuse:        true,
				SuccessEvent: "accepted",
				FailureEvent: "failed",
			})
			if err != nil {
				failure = err
				return nil
			}
			addr, err := listener.GetSockName()
			if err != nil {
				failure = err
				listener.Close()
				return nil
			}
			announce(addr.(*net.TCPAddr).Port)
			return nil
		},
		"accepted": func(e *kernel.Event) any {
			e.Kernel.Create(connection(e.ArgInt(0), stream))
			return nil
		},
		"failed": func(e *kernel.Event) any {
			failure = errors.New(e.ArgString(0) + ": " + e.ArgString(2))
			listener.Close()
			return nil
		},
	}})
	if err := k.Run(); err != nil {
		return err
	}
	return failure
}

// connection is the session of one client: its ReadWrite echoes every
// record. Records are borrowed (LineOptions.Borrow, StreamOptions.Borrow),
// as the Go net server's bufio.Reader.ReadSlice lends its lines: the
// handler puts each back at once, and Put copies it, so no record is
// allocated.
func connection(fd int, stream bool) kernel.Session {
	var rw *wheel.ReadWrite
	var f filter.Filter = filter.NewLine(filter.LineOptions{Literal: "\n", Borrow: true})
	if stream {
		f = filter.NewStream(filter.StreamOptions{Borrow: true})
	}
	return kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			var err error
			rw, err = wheel.NewReadWrite(e, wheel.ReadWriteOptions{
				Handle:     fd,
				Filter:     f,
				InputEvent: "got",
				ErrorEvent: "gone",
			})
			return err
		},
		"got":  func(e *kernel.Event) any { rw.Put(e.Arg(0)); return nil },
		"gone": func(e *kernel.Event) any { rw.Close(); return nil },
	}}
}
