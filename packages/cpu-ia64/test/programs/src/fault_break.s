// A program that must stop with a fault after printing one line (break).
	.include "lib.inc"
	START
	mov r30 = 1
	;;
	PRINT r30
	break.i 0x5		// not the system-call immediate: a Break Instruction fault
	;;
	PRINT r30
	EXIT
	.data
	.align 8
buf:	data8 0
