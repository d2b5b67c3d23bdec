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
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	impl := flag.String("impl", "poe", "poe or net")
	filt := flag.String("filter", "line", "line (echo each line) or stream (echo octets)")
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to `file`, ended by SIGINT or SIGTERM")
	flag.Parse()
	if *cpuprofile != "" {
		if err := profileUntilSignalled(*cpuprofile); err != nil {
			fmt.Fprintln(os.Stderr, "echo:", err)
			os.Exit(1)
		}
	}
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

// profileUntilSignalled starts a CPU profile into path and ends it, and
// the program, on SIGINT or SIGTERM: the servers otherwise run until
// killed.
func profileUntilSignalled(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		pprof.StopCPUProfile()
		f.Close()
		os.Exit(0)
	}()
	return nil
}
