// A program that must stop with a fault after printing one line (unaligned).
	.include "lib.inc"
	START
	mov r30 = 1
	;;
	PRINT r30
	movl r21 = buf
	;;
	adds r21 = 3, r21
	;;
	ld4 r22 = [r21]		// not 4-byte aligned: Unaligned Data Reference
	;;
	PRINT r30
	EXIT
	.data
	.align 8
buf:	data8 0
