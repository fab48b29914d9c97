//go:build !purego

#include "textflag.h"

// func indexSSE2(p *byte, n int, spaces, quotes *uint64) (hi, nul uint64)
//
// For each of the n 64-byte blocks at p, writes the bitmap of its spaces to
// spaces[i] and of its quotes to quotes[i] (bit j for byte j). hi has a bit
// set if any byte is 0x80 or above, nul if any byte is 0. SSE2 is part of
// every amd64 CPU, so no feature test is needed.
TEXT ·indexSSE2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ spaces+16(FP), DI
	MOVQ quotes+24(FP), R8
	MOVQ $0x2020202020202020, AX
	MOVQ AX, X8
	PUNPCKLQDQ X8, X8
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X9
	PUNPCKLQDQ X9, X9
	PXOR X10, X10
	XORQ R9, R9
	XORQ R10, R10

loop:
	TESTQ CX, CX
	JZ done
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3

	// Spaces.
	MOVO X0, X4
	PCMPEQB X8, X4
	PMOVMSKB X4, AX
	MOVO X1, X5
	PCMPEQB X8, X5
	PMOVMSKB X5, BX
	SHLQ $16, BX
	ORQ BX, AX
	MOVO X2, X6
	PCMPEQB X8, X6
	PMOVMSKB X6, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVO X3, X7
	PCMPEQB X8, X7
	PMOVMSKB X7, BX
	SHLQ $48, BX
	ORQ BX, AX
	MOVQ AX, 0(DI)

	// Quotes.
	MOVO X0, X4
	PCMPEQB X9, X4
	PMOVMSKB X4, AX
	MOVO X1, X5
	PCMPEQB X9, X5
	PMOVMSKB X5, BX
	SHLQ $16, BX
	ORQ BX, AX
	MOVO X2, X6
	PCMPEQB X9, X6
	PMOVMSKB X6, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVO X3, X7
	PCMPEQB X9, X7
	PMOVMSKB X7, BX
	SHLQ $48, BX
	ORQ BX, AX
	MOVQ AX, 0(R8)

	// NUL bytes: the minimum of the bytes is 0 where any byte is 0.
	MOVO X0, X4
	PMINUB X1, X4
	PMINUB X2, X4
	PMINUB X3, X4
	PCMPEQB X10, X4
	PMOVMSKB X4, AX
	ORQ AX, R10

	// High bits.
	POR X1, X0
	POR X2, X0
	POR X3, X0
	PMOVMSKB X0, AX
	ORQ AX, R9

	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, R8
	DECQ CX
	JMP loop

done:
	MOVQ R9, hi+32(FP)
	MOVQ R10, nul+40(FP)
	RET
