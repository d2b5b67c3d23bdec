// Package poe is the Go counterpart of Perl's `use POE`: a process-wide
// default kernel ($poe_kernel) and short names for the types a POE program
// uses most, so that a ported program reads like the original:
//
//	poe.Create(poe.Session{States: poe.States{
//		"_start": func(e *poe.Event) any { e.Kernel.Yield("tick"); return nil },
//		"tick":   func(e *poe.Event) any { fmt.Println("tick"); return nil },
//	}})
//	poe.Run()
//
// Programs that run several kernels (one per goroutine) use package kernel
// directly; this package holds no logic of its own.
package poe

import (
	"sync"

	"github.com/poe-go/poe/poe/kernel"
)

// Event is POE's @_ (see kernel.Event).
type Event = kernel.Event

// Session is POE::Session (see kernel.Session).
type Session = kernel.Session

// States is POE's inline_states (see kernel.States).
type States = kernel.States

// Handler is one state's code (see kernel.Handler).
type Handler = kernel.Handler

// Kernel is POE::Kernel (see kernel.Kernel).
type Kernel = kernel.Kernel

var (
	once  sync.Once
	deflt *kernel.Kernel
)

// DefaultKernel returns the process's default kernel, $poe_kernel, creating
// it on first use. It panics if the operating system refuses the poller.
func DefaultKernel() *kernel.Kernel {
	once.Do(func() { deflt = kernel.MustNew() })
	return deflt
}

// Create is POE::Session->create on the default kernel.
func Create(s Session) *kernel.Session { return DefaultKernel().Create(s) }

// Run is POE::Kernel->run on the default kernel: it returns when no session
// is left, with the unhandled DIE that stopped it, if any.
func Run() error { return DefaultKernel().Run() }
