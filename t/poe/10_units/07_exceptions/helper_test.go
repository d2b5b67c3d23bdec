// Package exceptions_test ports POE's t/10_units/07_exceptions: handler
// panics become DIE signals.
package exceptions_test

import (
	"github.com/poe-go/poe/t/poe/poetest"
)

// The shared helpers, under the names these tests use.
var (
	run       = poetest.Run
	newKernel = poetest.NewKernel
)

type trail = poetest.Trail
