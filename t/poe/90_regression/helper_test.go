// Package regression_test ports the kernel cases of POE's t/90_regression.
package regression_test

import (
	"github.com/poe-go/poe/t/poe/poetest"
)

// The shared helpers, under the names these tests use.
var (
	run       = poetest.Run
	newKernel = poetest.NewKernel
)

const limit = poetest.Limit

type trail = poetest.Trail
