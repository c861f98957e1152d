// A program that must stop with a fault after printing one line (nat).
	.include "lib.inc"
	START
	mov r30 = 1
	;;
	PRINT r30
	mov r20 = r0
	movl r21 = buf
	;;
	ld8.s r22 = [r20]
	;;
	st8 [r21] = r22		// storing a NaT: Register NaT Consumption
	;;
	PRINT r30
	EXIT
	.data
	.align 8
buf:	data8 0
