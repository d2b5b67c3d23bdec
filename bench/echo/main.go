// Command echo is the Go side of the echo workload: one program, two
// servers. -impl poe is a POE server (SocketFactory listening, one session
// per connection with a ReadWrite and Filter::Line or Filter::Stream), as a
// POE user writes it; -impl net is a plain Go net server with a goroutine
// per connection (bufio lines, or io.Copy for stream), the yardstick.
//
//	echo -impl poe|net -filter line|stream [-port N]
//
// It listens on 127.0.0.1, prints "LISTEN <port>" on standard output and
// serves until killed.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	impl := flag.String("impl", "poe", "poe or net")
	filt := flag.String("filter", "line", "line (echo each line) or stream (echo octets)")
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any)")
	flag.Parse()
	if *filt != "line" && *filt != "stream" {
		fmt.Fprintln(os.Stderr, "echo: -filter must be line or stream")
		os.Exit(2)
	}
	var err error
	switch *impl {
	case "poe":
		err = servePOE(*port, *filt == "stream")
	case "net":
		err = serveNet(*port, *filt == "stream")
	default:
		err = fmt.Errorf("unknown -impl %q", *impl)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

// announce tells the script which port was chosen.
func announce(port int) {
	fmt.Printf("LISTEN %d\n", port)
	os.Stdout.Sync()
}
