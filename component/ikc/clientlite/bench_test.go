package clientlite

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/poe-go/poe/component/ikc/channel"
)

// BenchmarkCall is one call round trip to a scripted Go server on
// loopback: freeze, one write, read and thaw the reply.
func BenchmarkCall(b *testing.B) {
	srv := newFakeServer(b, "tcp")
	go func() {
		p := srv.accept()
		if p == nil || !p.negotiate(channel.IKC0, "kid-1") {
			return
		}
		for {
			req, ok := p.read()
			if !ok {
				return
			}
			p.reply(req, req.Params)
		}
	}()
	c, err := Connect(context.Background(), srv.options())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Disconnect()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Call("echo/echo", "hello"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFrameReader splits a stream of small frames.
func BenchmarkFrameReader(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 200)
	frame := append([]byte(strconv.Itoa(len(payload))+"\x00"), payload...)
	stream := bytes.Repeat(frame, 1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		rd := newReader(bytes.NewReader(stream), DefaultMaxFrame)
		for range 1000 {
			if _, err := rd.frame(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
