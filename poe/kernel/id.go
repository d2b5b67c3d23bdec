package kernel

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// kernelSeq numbers the kernels of this process, so that two kernels created
// in the same second still have different IDs.
var kernelSeq atomic.Uint32

// makeKernelID builds an ID in POE's shape:
// <hostname>-<8 hex seconds>-<8 hex pid>-<8 hex sequence>.
func makeKernelID(now time.Time) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return fmt.Sprintf("%s-%08x-%08x-%08x", host, uint32(now.Unix()), uint32(os.Getpid()), kernelSeq.Add(1))
}
