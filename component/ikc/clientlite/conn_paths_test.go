package clientlite

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/message"
)

// TestGarbageDuringNegotiation: a server that answers something the
// dialogue does not expect makes Connect fail with the negotiation error,
// naming the phase and the line, where Perl's ClientLite dies with
// "Phase 010: Invalid response from ...: <line>", "Invalid IAM response
// from ...", "Didn't get OK from ..." or "... refused <serializer>"
// (ClientLite.pm, connect and _protocol_IKC0).
func TestGarbageDuringNegotiation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		proto channel.Protocol
		lines []string // what the server answers, one line per line read
		is    error
		line  string // the line the error quotes
	}{
		{"an IKC0 answer that is neither SETUP nor NOT", channel.IKC0, []string{"HELLO WORLD"}, channel.ErrUnexpected, "HELLO WORLD"},
		{"an IKC0 SETUP that does not parse", channel.IKC0, []string{"SETUP nonsense"}, channel.ErrUnexpected, "SETUP nonsense"},
		{"a legacy IAM with a bad name", channel.IKC, []string{"IAM !!"}, channel.ErrUnexpected, "IAM !!"},
		{"a legacy answer to IAM other than OK", channel.IKC, []string{"IAM Srv", "DONE", "NO"}, channel.ErrUnexpected, "NO"},
		{"a legacy refusal of the serializer", channel.IKC, []string{"IAM Srv", "DONE", "OK", "NOT"}, channel.ErrRefused, "NOT"},
		{"a legacy answer to WORLD other than UP", channel.IKC, []string{"IAM Srv", "DONE", "OK", "OK", "DOWN"}, channel.ErrUnexpected, "DOWN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, "tcp")
			srv.serve(func(p *peer) {
				for _, l := range tc.lines {
					if _, err := p.rd.line(maxLineLength); err != nil {
						return
					}
					p.raw([]byte(l + "\r\n"))
				}
				p.rd.line(maxLineLength) // until the client gives up
			})
			o := srv.options()
			o.Protocol = tc.proto
			_, err := Connect(context.Background(), o)
			var ne *channel.Error
			if !errors.Is(err, tc.is) || !errors.As(err, &ne) || ne.Line != tc.line {
				t.Fatalf("err = %v; want %v about the line %q", err, tc.is, tc.line)
			}
		})
	}
}

// TestRemoteErrorsOfEveryShape: a record with is_error ends the wait with
// a *RemoteError. Perl's ClientLite dies with "$msg->{params}": with
// params that are not IKC's [message, kernel, phase], the text is the
// params themselves; Go keeps that for a plain string.
func TestRemoteErrorsOfEveryShape(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params any
		want   string
	}{
		{"a plain string is the message", "the server is going away", "the server is going away"},
		{"a list of the wrong length is shown as it is", []any{"a", "b"}, "[a b]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, "tcp")
			srv.serveFirstRecord(channel.IKC0, func(p *peer, _ message.Message) {
				ev := message.ErrorsTo("Lite")
				p.send(message.Message{EventAddr: &ev, Params: tc.params, IsError: true})
			})
			c := connect(t, srv.options())
			_, err := c.Call("x/y", 1)
			var re *RemoteError
			if !errors.As(err, &re) || re.Message != tc.want || re.Kernel != "" {
				t.Fatalf("err = %#v, want a RemoteError %q", err, tc.want)
			}
		})
	}
}

// TestARecordWithABadEventIsDroppedWithAWarning: a record whose event is
// not a specifier is dropped with a warning and the wait goes on, as
// Perl's ClientLite warns "Unknown session" and reads on.
func TestARecordWithABadEventIsDroppedWithAWarning(t *testing.T) {
	srv := newFakeServer(t, "tcp")
	srv.serveFirstRecord(channel.IKC0, func(p *peer, req message.Message) {
		p.send(message.Message{Event: "", Params: "lost"})
		p.reply(req, "answer")
	})
	var warned []string
	o := srv.options()
	o.Warn = func(s string) { warned = append(warned, s) }
	c := connect(t, o)
	v, err := c.Call("x/y", 1)
	if err != nil || v != "answer" {
		t.Fatalf("Call = %v, %v", v, err)
	}
	if len(warned) != 1 || !strings.HasPrefix(warned[0], "dropped a record") {
		t.Fatalf("warnings %q", warned)
	}
}
