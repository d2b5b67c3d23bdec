//go:build !amd64 || purego

package storable

// haveCopyASCII says copyASCII is the assembly one pass.
const haveCopyASCII = false

// copyASCII copies nothing where there is no assembly for it (or with the
// purego build tag): the caller then copies and checks the string in two
// passes.
func copyASCII(dst []byte, src string) int { return 0 }
