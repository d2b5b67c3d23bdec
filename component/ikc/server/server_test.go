package server_test

import (
	"testing"
	"time"

	"github.com/poe-go/poe/component/ikc/client"
	"github.com/poe-go/poe/component/ikc/server"
	"github.com/poe-go/poe/poe/kernel"
)

func TestTwoKernelsPostAndCall(t *testing.T) {
	ks := kernel.MustNew(kernel.WithName("Server"))
	kc := kernel.MustNew(kernel.WithName("Client"))
	defer ks.Close()
	defer kc.Close()
	got := make(chan any, 4)
	port, err := server.Spawn(ks, server.Options{Port: 0, Name: "Server"})
	if err != nil {
		t.Fatal(err)
	}
	ks.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("echo")
			e.Kernel.Post("IKC", "publish", "echo", []string{"echo", "stop"})
			return nil
		},
		"echo": func(e *kernel.Event) any { got <- e.Arg(0); return e.Arg(0) },
		"stop": func(e *kernel.Event) any { e.Kernel.Post("IKC", "shutdown"); return nil },
	}})
	go ks.Run()
	kc.Create(kernel.Session{States: kernel.States{
		"_start": func(e *kernel.Event) any {
			e.Kernel.AliasSet("me")
			_, err := client.Spawn(e.Kernel, client.Options{Port: port, Name: "Client",
				OnConnect: func() {
					kc.Post("me", "go")
				},
				OnError: func(op string, errno int, text string) { t.Errorf("client error %s %d %s", op, errno, text) },
			})
			if err != nil {
				t.Error(err)
			}
			return nil
		},
		"go": func(e *kernel.Event) any {
			e.Kernel.Post("IKC", "post", "poe://Server/echo/echo", "hello")
			e.Kernel.Post("IKC", "call", "poe://Server/echo/echo", map[string]any{"a": int64(1)}, "poe:answer")
			return nil
		},
		"answer": func(e *kernel.Event) any {
			got <- e.Arg(0)
			e.Kernel.Post("IKC", "post", "poe://Server/echo/stop", nil)
			e.Kernel.Post("IKC", "shutdown")
			e.Kernel.AliasRemove("me")
			return nil
		},
	}})
	done := make(chan error)
	go func() { done <- kc.Run() }()
	timeout := time.After(5 * time.Second)
	for i := 0; i < 3; i++ {
		select {
		case v := <-got:
			t.Logf("got %#v", v)
		case <-timeout:
			t.Fatal("timed out")
		}
	}
	select {
	case err := <-done:
		t.Log("client kernel ended", err)
	case <-timeout:
		t.Fatal("client kernel did not end")
	}
}

// A port already in use is Spawn's error, not only a posted failure.
func TestSpawnReportsABindFailure(t *testing.T) {
	k := kernel.MustNew(kernel.WithName("A"))
	defer k.Close()
	port, err := server.Spawn(k, server.Options{Port: 0, Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	k2 := kernel.MustNew(kernel.WithName("B"))
	defer k2.Close()
	if _, err := server.Spawn(k2, server.Options{Port: port, Name: "B"}); err == nil {
		t.Fatalf("a second server on port %d: no error", port)
	}
	k.Post("IKC", "shutdown")
	k2.Post("IKC", "shutdown")
}
