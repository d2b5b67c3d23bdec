package regression_test

import (
	"os"
	"sort"
	"testing"

	"github.com/poe-go/poe/poe/kernel"
)

// TestSigChildSharedPid is the regression test for two sessions watching
// one child process with sig_child: POE keeps a watch per session and
// PID, so both hear of the child's exit (checked against Perl POE 1.370,
// which delivers them in hash order; only the set is checked). A second
// session's watch once replaced the first one's, which then never heard
// of the child.
func TestSigChildSharedPid(t *testing.T) {
	k := newKernel(t)
	var tr trail
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	defer w.Close()
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any { e.Kernel.AliasSet("supervisor"); return nil },
		"watch": func(e *kernel.Event) any {
			e.Kernel.SigChild(e.ArgInt(0), "chld", "supervisor")
			e.Kernel.AliasRemove("supervisor")
			e.Kernel.Post(e.Sender, "release")
			return nil
		},
		"chld": func(e *kernel.Event) any {
			tr.Add("supervisor chld %v status %d %v", e.Arg(0), e.ArgInt(2), e.Args[3:])
			return nil
		},
	}})
	k.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			// The child exits when its stdin closes, once both watch it.
			p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", "read x; exit 7"},
				&os.ProcAttr{Files: []*os.File{r, nil, nil}})
			r.Close()
			if err != nil {
				t.Errorf("StartProcess: %v", err)
				return nil
			}
			pid := p.Pid
			p.Release()
			e.Kernel.SigChild(pid, "chld", "forker")
			e.Kernel.Post("supervisor", "watch", pid)
			e.Kernel.Delay("timeout", limit/2)
			return nil
		},
		"release": func(e *kernel.Event) any { w.Close(); return nil },
		"chld": func(e *kernel.Event) any {
			tr.Add("forker chld %v status %d %v", e.Arg(0), e.ArgInt(2), e.Args[3:])
			e.Kernel.Delay("timeout", -1)
			return nil
		},
		"timeout": func(e *kernel.Event) any { tr.Add("timeout"); return nil },
	}})
	if err := run(t, k); err != nil {
		t.Fatal(err)
	}
	sort.Strings(tr)
	tr.Expect(t, "forker chld CHLD status 1792 [forker]", "supervisor chld CHLD status 1792 [supervisor]")
}
