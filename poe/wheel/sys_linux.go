package wheel

import "golang.org/x/sys/unix"

// newSocket makes a nonblocking, close-on-exec socket in one call.
func newSocket(domain, typ, proto int) (int, error) {
	return unix.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
}

// acceptNB accepts one connection as a nonblocking, close-on-exec socket.
func acceptNB(fd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}

// pipeCloexec makes a close-on-exec pipe: p[0] to read, p[1] to write.
func pipeCloexec(p []int) error {
	return unix.Pipe2(p, unix.O_CLOEXEC)
}
