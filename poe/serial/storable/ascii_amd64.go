//go:build !purego

package storable

// haveCopyASCII says copyASCII is the assembly one pass.
const haveCopyASCII = true

// copyASCII copies the leading all-ASCII 128-byte blocks of src to dst in
// one pass (assembly), and returns how many bytes that is. It may copy
// the block after them too. len(dst) must be at least len(src).
//
//go:noescape
func copyASCII(dst []byte, src string) int
