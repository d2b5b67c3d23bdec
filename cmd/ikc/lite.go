package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/poe-go/poe/component/ikc/channel"
	"github.com/poe-go/poe/component/ikc/clientlite"
	"github.com/poe-go/poe/poe/serial"
	"github.com/poe-go/poe/poe/serial/freezethaw"
	"github.com/poe-go/poe/poe/serial/msgpack"
)

func init() {
	register("call", "call a remote state and print its answer as JSON (ClientLite)", cmdCall)
	register("post", "post to a remote state (ClientLite)", cmdPost)
	register("ping", "check that an IKC kernel answers", cmdPing)
}

// liteFlags are the connection flags shared by the ClientLite commands.
type liteFlags struct {
	addr, unix, name, serializer, protocol string
	port                                   int
	timeout                                time.Duration
}

func (f *liteFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1", "server host, or host:port")
	fs.IntVar(&f.port, "port", defaultPort, "server TCP port")
	fs.StringVar(&f.unix, "unix", "", "server unix-domain socket path (instead of TCP)")
	fs.StringVar(&f.name, "name", "", "this client's kernel name (default Client<pid>)")
	fs.StringVar(&f.serializer, "serializer", "Storable", "serializer to offer: Storable works with every peer (numbers with a fraction travel as strings, as Perl's nstore writes them); msgpack, with Go servers, keeps floats and booleans; FreezeThaw, for Perl servers set up with it, sends every scalar as its text")
	fs.StringVar(&f.protocol, "protocol", "IKC0", "negotiation protocol: IKC0 or IKC")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "how long to wait for the connection and for an answer")
}

// serializerName accepts the short names for the registered serializers.
func serializerName(s string) string {
	switch strings.ToLower(s) {
	case "msgpack":
		return msgpack.Name
	case "storable":
		return "Storable"
	case "freezethaw":
		return freezethaw.Name
	}
	return s
}

func (f *liteFlags) connect() (*clientlite.Client, error) {
	f.serializer = serializerName(f.serializer)
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()
	return clientlite.Connect(ctx, clientlite.Options{
		Addr: f.addr, Port: f.port, Unix: f.unix, Name: f.name,
		Timeout: f.timeout, Serializer: f.serializer, Protocol: channel.Protocol(f.protocol),
	})
}

// parseArg reads a command-line argument as JSON, into the values a Perl
// peer expects: objects become hashes, arrays arrays, integral numbers
// integers. Text that is not JSON is sent as a plain string.
func parseArg(s string) any {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return s
	}
	return fromJSON(v)
}

func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = fromJSON(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = fromJSON(x[k])
		}
		return x
	}
	return v
}

// toJSON turns a thawed value into something encoding/json can print.
func toJSON(v any) any { return serial.MapLeaves(v, jsonLeaf) }

// jsonLeaf is toJSON for what is neither an array nor a hash.
func jsonLeaf(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case serial.Blessed:
		return map[string]any{"__class__": x.Class, "value": toJSON(x.Value)}
	case *serial.Ref:
		if x == nil {
			return nil
		}
		return map[string]any{"__ref__": toJSON(x.Value)}
	}
	return v
}

func printJSON(w io.Writer, v any) error {
	out, err := json.Marshal(toJSON(v))
	if err != nil {
		return fmt.Errorf("printing the answer: %w", err)
	}
	_, err = fmt.Fprintln(w, string(out))
	return err
}

func specAndArg(fs *flag.FlagSet) (string, any, error) {
	switch fs.NArg() {
	case 1:
		return fs.Arg(0), nil, nil
	case 2:
		return fs.Arg(0), parseArg(fs.Arg(1)), nil
	}
	return "", nil, usageError("want poe://Kernel/session/state and at most one ARG")
}

func cmdCall(args []string, stdout, stderr io.Writer) error {
	var lf liteFlags
	fs := newFlags("call", "poe://Kernel/session/state [ARG]", stderr)
	lf.add(fs)
	list := fs.Bool("list", false, "call in list context (the answer is an array)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	spec, arg, err := specAndArg(fs)
	if err != nil {
		return err
	}
	c, err := lf.connect()
	if err != nil {
		return err
	}
	defer c.Disconnect()
	var v any
	if *list {
		v, err = c.CallList(spec, arg)
	} else {
		v, err = c.Call(spec, arg)
	}
	if err != nil {
		return err
	}
	return printJSON(stdout, v)
}

func cmdPost(args []string, stdout, stderr io.Writer) error {
	var lf liteFlags
	fs := newFlags("post", "poe://Kernel/session/state [ARG]", stderr)
	lf.add(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	spec, arg, err := specAndArg(fs)
	if err != nil {
		return err
	}
	c, err := lf.connect()
	if err != nil {
		return err
	}
	defer c.Disconnect()
	return c.Post(spec, arg)
}

func cmdPing(args []string, stdout, stderr io.Writer) error {
	var lf liteFlags
	fs := newFlags("ping", "", stderr)
	lf.add(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("ping takes no arguments")
	}
	start := time.Now()
	c, err := lf.connect()
	if err != nil {
		return err
	}
	defer c.Disconnect()
	if err := c.Ping(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "PONG from %s in %s\n", target(lf), time.Since(start).Round(time.Microsecond))
	return nil
}

func target(lf liteFlags) string {
	if lf.unix != "" {
		return "unix:" + lf.unix
	}
	return fmt.Sprintf("%s:%d", lf.addr, lf.port)
}
