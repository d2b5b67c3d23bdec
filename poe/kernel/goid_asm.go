//go:build amd64 || arm64

package kernel

// getg returns the current goroutine's identity token (assembly).
func getg() uintptr
