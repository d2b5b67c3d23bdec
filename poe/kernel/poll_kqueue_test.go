//go:build darwin || freebsd

package kernel

import "testing"

// coarseTimeouts: kevent takes its timeout as a timespec, never rounded.
func coarseTimeouts(*testing.T) string { return "" }
