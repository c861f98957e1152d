// break with collection on: vector 0x2c00, cr.iim = the immediate, cr.iip/ipsr.ri = the break,
// psr after the interruption as SDM vol. 2 §5.5 gives it; rfi resumes at ipsr.ri (slot 1).
	.include "lib.inc"
	.text
	.global _start
_start:
	SET_IVA
	ssm PSR_IC
	;;
	srlz.d
	;;
	PUTS msg_start
brk:
	{ .mii
	break.m 0x12345
	nop.i 1
	nop.i 2
	;;
	}
	PUTS msg_back
	mov r9=psr
	;;
	SHOW msg_psr, r9
	EXIT 0

handler:
	SHOW msg_vec, r31
	mov r9=cr.iim
	;;
	SHOW msg_iim, r9
	mov r9=cr.isr
	;;
	SHOW msg_isr, r9
	mov r9=cr.ipsr
	;;
	SHOW msg_ipsr, r9
	mov r9=cr.iip
	movl r2=brk
	;;
	sub r9=r9,r2
	;;
	SHOW msg_iip, r9
	mov r9=psr
	;;
	SHOW msg_psr, r9
	// resume at slot 1 of the break bundle
	mov r2=cr.ipsr
	movl r3=1 << 41
	;;
	or r2=r2,r3
	;;
	mov cr.ipsr=r2
	;;
	rfi
	;;

	LIB
	IVT
	.data
msg_start: .asciz "break test\n"
msg_back: .asciz "back\n"
msg_vec: .asciz "vector="
msg_iim: .asciz "iim="
msg_isr: .asciz "isr="
msg_ipsr: .asciz "ipsr="
msg_iip: .asciz "iip-brk="
msg_psr: .asciz "psr="
