// Benchmark: a br.cloop loop of 10 M iterations, 3 instructions each (MIB: add, add, br.cloop).
	.include "lib.inc"
	START
	movl r20 = 9999999
	mov r21 = 0
	mov r22 = 0
	;;
	mov ar.lc = r20
	;;
.Lloop:
	{ .mib
	add r21 = 1, r21
	add r22 = r21, r22
	br.cloop.sptk.few .Lloop
	;;
	}
	PRINT r22
	EXIT
