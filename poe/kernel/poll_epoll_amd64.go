//go:build linux && amd64

package kernel

import "golang.org/x/sys/unix"

// sysEpollPoll is the system call of a poll that does not block:
// epoll_wait where the architecture has it, since epoll_pwait, even with
// no signal mask, costs about 13 ns more a call here (bench/c/serve_path
// built both ways), and the loop's spin makes one call after another.
const sysEpollPoll = unix.SYS_EPOLL_WAIT
