package kernel

// Interest is the set of readiness kinds a file descriptor is watched for.
type interest uint8

const (
	interestRead interest = 1 << iota
	interestWrite
	interestExpedite
)

// poller is the seam between the portable loop and the operating system's
// readiness API: epoll on linux, kqueue on darwin and freebsd. It is used
// only from the loop goroutine, except wake, which is safe from anywhere.
type poller interface {
	// set makes the kernel watch fd for exactly the given interests;
	// an empty set stops watching it.
	set(fd int, old, want interest) error
	// wait blocks for up to timeout nanoseconds (0 = poll) and calls
	// ready once per ready fd with the kinds it is ready for. It returns
	// whether the wake-up fd fired.
	wait(timeout int64, ready func(fd int, what interest)) (woken bool, err error)
	// wake interrupts a wait in progress, from any goroutine.
	wake() error
	close() error
}
