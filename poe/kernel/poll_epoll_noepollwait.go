//go:build linux && !amd64

package kernel

import "golang.org/x/sys/unix"

// sysEpollPoll is the system call of a poll that does not block:
// epoll_pwait with no signal mask on architectures without epoll_wait
// (arm64, riscv64).
const sysEpollPoll = unix.SYS_EPOLL_PWAIT
