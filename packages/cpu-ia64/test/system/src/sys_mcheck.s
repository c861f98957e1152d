// An itc.d over a data TR (dtr[0] maps 0..256M) is a Machine Check (SDM vol. 2 §4.1.1.2): the run
// stops (Ski stops too: "Machine check ... Overlapping TR entries"). Only "before" is printed.
	.include "lib.inc"
	.text
	.global _start
_start:
	SET_IVA
	MAP_IDENTITY
	PUTS msg
	movl r2=0x200000
	mov r3=12 << 2
	;;
	mov cr.ifa=r2
	mov cr.itir=r3
	movl r4=0x200000 | PTE_RWX
	;;
	itc.d r4		// over dtr[0] (0..256M): a machine check
	;;
	PUTS msg2
	EXIT 0
handler:
	SHOW msg_vec, r31
	EXIT 3
	LIB
	IVT
	.data
msg: .asciz "before\n"
msg2: .asciz "after\n"
msg_vec: .asciz "vector="
