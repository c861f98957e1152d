// A program that must stop with a fault after printing one line (unmapped).
	.include "lib.inc"
	START
	mov r30 = 1
	;;
	PRINT r30
	movl r21 = 0x1000
	;;
	ld8 r22 = [r21]		// nothing mapped there: a data access fault (SIGSEGV)
	;;
	PRINT r30
	EXIT
	.data
	.align 8
buf:	data8 0
