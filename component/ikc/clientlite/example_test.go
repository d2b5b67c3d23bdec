package clientlite_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/clientlite"
)

// A script that calls a state published by an IKC server on port 603.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := clientlite.Connect(ctx, clientlite.Options{Addr: "127.0.0.1", Port: 603, Name: "Lite"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Disconnect()

	sum, err := c.Call("calc/add", []any{1, 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum)
	if err := c.Post("log/line", "added"); err != nil {
		log.Fatal(err)
	}
}

// Over a unix-domain socket, with the legacy negotiation.
func ExampleConnect_unix() {
	c, err := clientlite.Connect(context.Background(), clientlite.Options{
		Unix:     "/run/myapp/ikc.sock",
		Protocol: channel.IKC,
		Timeout:  10 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Disconnect()
	if err := c.Ping(); err != nil {
		log.Fatal(err)
	}
}

// A remote_error and a timeout are told apart with errors.As and
// errors.Is.
func ExampleClient_Call() {
	c, err := clientlite.Connect(context.Background(), clientlite.Options{Addr: "127.0.0.1:603"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Disconnect()
	v, err := c.Call("poe://Server/echo/echo", map[string]any{"n": 1})
	var remote *clientlite.RemoteError
	switch {
	case errors.As(err, &remote):
		log.Printf("the server refused: %s (phase %s)", remote.Message, remote.Phase)
	case errors.Is(err, clientlite.ErrTimeout):
		log.Print("no reply: the handler returned undef, or the server is stuck")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(v)
	}
}

// The server's handler answers by posting to the rsvp it gets as the
// second element of its argument: $kernel->post(IKC => post => $rsvp, $n + 1).
func ExampleClient_PostRespond() {
	c, err := clientlite.Connect(context.Background(), clientlite.Options{Addr: "127.0.0.1:603"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Disconnect()
	v, err := c.PostRespond("test/add_1", 7)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
}
