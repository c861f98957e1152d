// Interval timer: ar.itc counts; when it reaches cr.itm the vector in cr.itv (0xe0) becomes pending.
// With tpr.mmi = 1 it stays pending; clearing tpr delivers it (psr.i = 1) at 0x3000. cr.ivr returns
// 0xe0 and puts it in service, a second read returns 15 (spurious), eoi ends it.
	.include "lib.inc"
	.text
	.global _start
_start:
	SET_IVA
	movl r2=1 << 16		// tpr.mmi: mask every external interrupt
	;;
	mov cr.tpr=r2
	mov r2=0xe0
	;;
	mov cr.itv=r2
	mov r14=0		// set by the handler (r14: not banked)
	mov r3=ar.itc
	;;
	adds r3=200,r3
	;;
	mov cr.itm=r3
	;;
	ssm PSR_IC | PSR_I
	;;
	srlz.d
	mov r4=300
	;;
spin1:				// 300 iterations: the timer matches, but tpr masks it
	adds r4=-1,r4
	;;
	cmp.ne p6,p0=0,r4
(p6)	br.cond.sptk.few spin1
	;;
	SHOW msg_masked, r14
	mov r2=cr.irr3
	;;
	SHOW msg_irr3, r2
	mov cr.tpr=r0		// unmask: delivered before the next instruction group
	;;
	srlz.d
	;;
	nop.m 0
	;;
	SHOW msg_taken, r14
	mov r2=ar.itc
	;;
	cmp.ltu p6,p7=r2,r3
	;;
(p6)	mov r2=0
(p7)	mov r2=1
	;;
	SHOW msg_itc, r2
	EXIT 0

handler:
	SHOW msg_vec, r31
	mov r2=cr.ivr
	;;
	SHOW msg_ivr, r2
	mov r2=cr.ivr
	;;
	SHOW msg_ivr, r2
	mov cr.eoi=r0
	;;
	mov r2=cr.irr3
	;;
	SHOW msg_irr3, r2
	mov r14=1
	;;
	rfi
	;;

	LIB
	IVT
	.data
msg_masked: .asciz "while masked, taken="
msg_irr3: .asciz "irr3="
msg_taken: .asciz "after unmask, taken="
msg_itc: .asciz "itc>=itm:"
msg_vec: .asciz "vector="
msg_ivr: .asciz "ivr="
