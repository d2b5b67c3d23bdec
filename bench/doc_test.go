// Package bench holds the Go side of the side-by-side benchmarks of the
// project: the kernel's dispatch and timer workloads (workloads 1 and 2),
// the memory of idle sessions, and, in its subdirectories, the echo servers
// and the load client that compare.sh runs against their Perl POE, C,
// Node.js and netpoll counterparts.
//
// Every benchmark reports its throughput as an ops/s metric, so compare.sh
// can put it next to the figure the Perl program prints for the same
// workload.
package bench

import "testing"

// reportRate adds the ops/s metric: b.N operations over the timed part.
func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}
