//go:build linux

package kernel

import (
	"testing"
	"time"
)

// coarseTimeouts says why the poller's waits are rounded up to whole
// milliseconds here, or "" when they are not: epoll_pwait2 is missing
// before Linux 5.11, and some sandboxes refuse it.
func coarseTimeouts(t *testing.T) string {
	p, err := newPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	if _, err := p.wait(int64(time.Microsecond), func(int, interest) {}); err != nil {
		t.Fatal(err)
	}
	if p.(*epollPoller).noPwait2 {
		return "epoll_pwait2 is not available here (Linux before 5.11, or a sandbox refuses it): waits are rounded up to milliseconds"
	}
	return ""
}
