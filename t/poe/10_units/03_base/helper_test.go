// Package base_test ports the kernel cases of POE's t/10_units/03_base.
package base_test

import (
	"github.com/poe-go/poe/t/poe/poetest"
)

// The shared helpers, under the names these tests use.
var (
	run       = poetest.Run
	newKernel = poetest.NewKernel
)

type trail = poetest.Trail
