package clientlite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/message"
)

// link is one negotiated connection to the server.
type link struct {
	conn   net.Conn
	rd     *reader
	result channel.Result
}

// remote is the kernel relative specifiers are made to point to: the
// server's first SETUP name with IKC0, the configured "<ip>:<port>" after
// the legacy dialogue, or, over a unix socket, the server's first IAM name.
func (l *link) remote() string {
	if l.result.RemoteName != "" {
		return l.result.RemoteName
	}
	return l.result.PingKernel
}

// pingKernel is the kernel ClientLite's ping addresses: the server's first
// IAM name after the legacy dialogue, its first SETUP name after IKC0.
func (l *link) pingKernel() string {
	if l.result.PingKernel != "" {
		return l.result.PingKernel
	}
	return l.result.RemoteName
}

// dial connects and negotiates, within ConnectTimeout and ctx.
func (c *Client) dial(ctx context.Context) (*link, error) {
	deadline := time.Now().Add(c.opts.ConnectTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(ctx, c.network, c.address)
	if err != nil {
		return nil, err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		if err := tc.SetNoDelay(true); err != nil {
			conn.Close()
			return nil, err
		}
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	l, err := c.negotiate(conn, deadline)
	if !stop() { // ctx ended while negotiating and forced the deadline
		if err == nil {
			err = ctx.Err()
		} else {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
	}
	if err == nil {
		err = conn.SetDeadline(time.Time{})
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return l, nil
}

// negotiate runs ClientLite's side of the IKC0 or legacy negotiation
// (IKC spec 5.4, 6.4) on conn.
func (c *Client) negotiate(conn net.Conn, deadline time.Time) (*link, error) {
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, err
	}
	n, err := channel.NewNegotiation(channel.Options{
		Role:        channel.LiteRole,
		Protocol:    c.opts.Protocol,
		Name:        c.opts.Name,
		SanityAlias: c.configured,
		Serializers: []string{c.opts.Serializer},
		PID:         os.Getpid(),
		Warn:        c.opts.Warn,
	})
	if err != nil {
		return nil, err
	}
	l := &link{conn: conn, rd: newReader(conn, c.opts.MaxFrame)}
	if err := writeLines(conn, n.Start()); err != nil {
		return nil, err
	}
	for !n.Done() {
		line, err := l.rd.line(maxLineLength)
		if err != nil {
			return nil, fmt.Errorf("negotiation, phase %s: %w", n.Phase(), err)
		}
		out, ferr := n.Feed(line)
		if err := writeLines(conn, out); err != nil {
			return nil, err
		}
		if ferr != nil {
			return nil, ferr
		}
	}
	l.result, _ = n.Result()
	return l, nil
}

// writeLines writes each negotiation line with its CR LF in one write, so
// a POE line filter never sees the CR and the LF in different reads.
func writeLines(conn net.Conn, lines []string) error {
	for _, s := range lines {
		if _, err := conn.Write([]byte(s + "\r\n")); err != nil {
			return err
		}
	}
	return nil
}

// encode freezes m into the frame write sends next.
func (c *Client) encode(m message.Message) error {
	var err error
	c.payload, err = c.ser.Freeze(c.payload[:0], m.Value())
	if err != nil {
		return err
	}
	c.out = strconv.AppendInt(c.out[:0], int64(len(c.payload)), 10)
	c.out = append(c.out, 0)
	c.out = append(c.out, c.payload...)
	return nil
}

// write writes the encoded frame in one write, within Options.Timeout.
func (c *Client) write(l *link) error {
	if err := l.conn.SetWriteDeadline(time.Now().Add(c.opts.Timeout)); err != nil {
		return err
	}
	_, err := l.conn.Write(c.out)
	return err
}

// readRecord reads and decodes the next record from the server.
func (c *Client) readRecord(l *link) (message.Message, error) {
	p, err := l.rd.frame()
	if err != nil {
		return message.Message{}, err
	}
	v, err := c.ser.Thaw(p)
	if err != nil {
		return message.Message{}, fmt.Errorf("%w: %w", ErrFrame, err)
	}
	return message.FromValue(v)
}

// await reads records until one addressed to session/state arrives, and
// returns its params. Any record with is_error ends the wait with a
// *RemoteError, as in Perl; records for other sessions or states are
// dropped with a warning. Failing to read, including the deadline, is
// returned as is.
func (c *Client) await(l *link, session, state string, deadline time.Time) (any, error) {
	if err := l.conn.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	for {
		m, err := c.readRecord(l)
		if errors.Is(err, message.ErrMalformed) {
			c.warn("dropped a record: %v", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if m.IsError {
			return nil, remoteError(m)
		}
		to, err := m.Target()
		if err != nil {
			c.warn("dropped a record with a bad event: %v", err)
			continue
		}
		if to.Session != message.LiteSession && to.Session != message.Responder {
			c.warn("Unknown session %s", to.Session)
			continue
		}
		if to.Session != session || to.State != state {
			c.warn("%s received, expecting poe://%s/%s/%s", to, c.opts.Name, session, state)
			continue
		}
		return m.Params, nil
	}
}

func remoteError(m message.Message) error {
	text, kernel, _, phase, err := m.ErrorReport()
	if err != nil {
		return &RemoteError{Message: fmt.Sprint(m.Params)}
	}
	return &RemoteError{Message: text, Kernel: kernel, Phase: phase}
}

func (c *Client) warn(format string, args ...any) {
	if c.opts.Warn != nil {
		c.opts.Warn(fmt.Sprintf(format, args...))
	}
}

// isTimeout reports whether err is a deadline that passed.
func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}
