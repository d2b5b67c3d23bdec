package interop_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/message"
	"github.com/poe-go/poe/poe/serial/storable"
)

// kernelID is the shape of a POE kernel ID (IKC spec 3.1).
var kernelID = regexp.MustCompile(`^[-.\w]+-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`)

// TestPOEClientNegotiatesIKC0WithAGoServer runs perl/poe-ikc0-client.pl,
// an IKC0 client built from plain POE (Wheel::ReadWrite with Filter::Line,
// then Filter::Reference), against a scripted Go server made of the
// channel negotiation and Storable. It needs only Perl and POE, not IKC.
func TestPOEClientNegotiatesIKC0WithAGoServer(t *testing.T) {
	requirePerl(t, "", "POE::Filter::Reference", "Storable")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	result := make(chan error, 1)
	records := make(chan message.Message, 2)
	go func() { result <- serveOne(ln, records) }()

	port := ln.Addr().(*net.TCPAddr).Port
	cli := startPerl(t, "", "poe-ikc0-client.pl", "--port", strconv.Itoa(port))
	sent := cli.expect("SENT SETUP ", startTimeout)
	s, ok := channel.ParseSetup(sent)
	if !ok || len(s.Kernels) != 3 || !kernelID.MatchString(s.Kernels[0]) || s.Kernels[1] != "PoeCli" ||
		!strings.HasPrefix(s.Kernels[2], "127.0.0.1:") || len(s.Freezers) != 1 || s.PID != cli.cmd.Process.Pid {
		t.Errorf("the POE client sent SETUP %s", sent)
	}
	if got := cli.expect("SETUP ", 10*time.Second); got != "KERNEL=vm-go-00000001-00000002-00000001,GoSrv;FREEZER=Storable;PID=42" {
		t.Errorf("the POE client read SETUP %s", got)
	}
	if got := cli.expect("GOT state=", 10*time.Second); got != `echoed arg={"n" => [1,2],"said" => "hello"}` {
		t.Errorf("the POE client got %s", got)
	}
	select {
	case err := <-result:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the Go server did not finish")
	}
	call, post := <-records, <-records
	if call.Event != "poe://vm-go-00000001-00000002-00000001/echo/echo" || call.RSVP == nil || !call.RSVP.SessionIsID {
		t.Errorf("call record %+v", call)
	}
	if post.Event != "poe://vm-go-00000001-00000002-00000001/echo/record" || post.Params != "bye" {
		t.Errorf("post record %+v", post)
	}
}

// serveOne is the Go side: negotiate as an IKC0 server, answer one call
// by echoing its params, read one post, then wait for the client to close.
func serveOne(ln net.Listener, records chan<- message.Message) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(conn)
	n, err := channel.NewNegotiation(channel.Options{
		Role: channel.ServerRole, KernelID: "vm-go-00000001-00000002-00000001", Name: "GoSrv",
		Serializers: []string{storable.Name}, PID: 42,
	})
	if err != nil {
		return err
	}
	for !n.Done() {
		line, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("negotiation: %w", err)
		}
		out, err := n.Feed(strings.TrimRight(line, "\r\n"))
		for _, l := range out {
			if _, werr := conn.Write([]byte(l + "\r\n")); werr != nil {
				return werr
			}
		}
		if err != nil {
			return err
		}
	}
	call, err := readRecord(br)
	if err != nil {
		return err
	}
	records <- call
	if call.RSVP == nil {
		return fmt.Errorf("the first record is not a call: %+v", call)
	}
	if err := writeRecord(conn, message.Response(*call.RSVP, call.Params, nil)); err != nil {
		return err
	}
	post, err := readRecord(br)
	if err != nil {
		return err
	}
	records <- post
	if _, err := readRecord(br); !errors.Is(err, io.EOF) {
		return fmt.Errorf("after the post: %v, want EOF", err)
	}
	return nil
}

// readRecord reads one frame strictly: digits, NUL, payload.
func readRecord(br *bufio.Reader) (message.Message, error) {
	digits, err := br.ReadString(0)
	if err != nil {
		return message.Message{}, err
	}
	size, err := strconv.Atoi(strings.TrimSuffix(digits, "\x00"))
	if err != nil || size <= 0 || size > 1<<20 {
		return message.Message{}, fmt.Errorf("bad frame header %q", digits)
	}
	payload := make([]byte, size)
	if _, err := io.ReadFull(br, payload); err != nil {
		return message.Message{}, err
	}
	v, err := storable.Thaw(payload)
	if err != nil {
		return message.Message{}, err
	}
	return message.FromValue(v)
}

func writeRecord(w io.Writer, m message.Message) error {
	b, err := storable.Freeze(m.Value())
	if err != nil {
		return err
	}
	_, err = w.Write(append(append(strconv.AppendInt(nil, int64(len(b)), 10), 0), b...))
	return err
}
