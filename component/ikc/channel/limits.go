package channel

import (
	"fmt"
	"syscall"

	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/freezethaw"
	"github.com/poe-go/poe/poe/serial/msgpack"
	"github.com/poe-go/poe/poe/serial/storable"
)

// Limits a channel applies to what a peer sends and to what it queues for a
// peer. Each has an option in Config (and in the Server and Client options
// that fill it); zero means the default below. Perl IKC 0.2402 has none of
// them.
const (
	// DefaultMaxDepth bounds the nesting of containers and references in
	// one thawed record, so a frame of deeply nested arrays is refused
	// before it can exhaust the stack or the heap.
	DefaultMaxDepth = 512
	// DefaultMaxItems bounds the values (scalars, containers, hash keys)
	// in one thawed record.
	DefaultMaxItems = 1 << 20
	// DefaultMaxOutput is the output high-water mark of one connection:
	// when more than this many octets are queued for a peer that does not
	// read them, the connection is dropped (error channel-write, ENOBUFS)
	// instead of letting memory grow without bound.
	DefaultMaxOutput = 64 << 20
)

// serializer returns the serializer negotiated as name, bounded by the
// channel's MaxDepth and MaxItems when the serializer is one of those the
// module ships (Storable, msgpack and FreezeThaw); others come from the
// registry as they are.
func (c *conn) serializer(name string) (serial.Serializer, error) {
	depth, items := c.cfg.MaxDepth, c.cfg.MaxItems
	if depth <= 0 {
		depth = DefaultMaxDepth
	}
	if items <= 0 {
		items = DefaultMaxItems
	}
	switch name {
	case storable.Name:
		return storable.New(storable.Options{MaxDepth: depth, MaxItems: items}), nil
	case msgpack.Name:
		return msgpack.New(msgpack.Options{MaxDepth: depth, MaxItems: items}), nil
	case freezethaw.Name:
		return freezethaw.New(freezethaw.Options{MaxDepth: depth, MaxItems: items}), nil
	}
	return serial.Lookup(name)
}

// outputLimit is the connection's output high-water mark in octets.
func (c *conn) outputLimit() int {
	if c.cfg.MaxOutput > 0 {
		return c.cfg.MaxOutput
	}
	return DefaultMaxOutput
}

// checkOutput drops a connection whose peer has let more than the output
// limit pile up: a slow or stalled reader must not make the kernel buffer
// without bound. It reports whether the connection is still usable.
func (c *conn) checkOutput() bool {
	if c.rw == nil || c.closed {
		return false
	}
	queued := c.rw.GetDriverOutOctets()
	if queued <= c.outputLimit() {
		return true
	}
	c.fail("write", int(syscall.ENOBUFS), fmt.Sprintf("%d octets queued for a peer that does not read (limit %d); connection dropped", queued, c.outputLimit()))
	c.close()
	return false
}
