//go:build !purego

#include "textflag.h"

// func copyASCII(dst []byte, src string) int
//
// Copies src to dst 128 bytes at a time with SSE2 (every amd64 has it),
// checking each block for a byte above 0x7F on the way, and stops after
// the first block that has one or before a tail shorter than 128 bytes.
// Returns n such that dst[:n] is src[:n] and all ASCII; the block after
// it may have been copied too. len(dst) >= len(src).
TEXT ·copyASCII(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX
	ANDQ $~127, CX
	JZ   done

loop:
	MOVOU 0(SI)(AX*1), X0
	MOVOU 16(SI)(AX*1), X1
	MOVOU 32(SI)(AX*1), X2
	MOVOU 48(SI)(AX*1), X3
	MOVOU 64(SI)(AX*1), X4
	MOVOU 80(SI)(AX*1), X5
	MOVOU 96(SI)(AX*1), X6
	MOVOU 112(SI)(AX*1), X7
	MOVOU X0, 0(DI)(AX*1)
	MOVOU X1, 16(DI)(AX*1)
	MOVOU X2, 32(DI)(AX*1)
	MOVOU X3, 48(DI)(AX*1)
	MOVOU X4, 64(DI)(AX*1)
	MOVOU X5, 80(DI)(AX*1)
	MOVOU X6, 96(DI)(AX*1)
	MOVOU X7, 112(DI)(AX*1)
	POR   X1, X0
	POR   X3, X2
	POR   X5, X4
	POR   X7, X6
	POR   X2, X0
	POR   X6, X4
	POR   X4, X0
	PMOVMSKB X0, DX
	TESTL DX, DX
	JNZ   done
	ADDQ  $128, AX
	CMPQ  AX, CX
	JB    loop

done:
	MOVQ AX, ret+40(FP)
	RET
