package interop_test

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill the Perl peer if the test binary dies
// before its cleanups run (a panic, a timeout), so that no peer is left
// behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
