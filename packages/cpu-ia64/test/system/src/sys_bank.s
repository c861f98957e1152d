// Register banks: r16..r31 have two copies; bsw.0/bsw.1 choose one (psr.bn); an interruption runs
// on bank 0 and rfi returns to the bank in ipsr.bn.
	.include "lib.inc"
	.text
	.global _start
_start:
	SET_IVA
	ssm PSR_IC
	;;
	srlz.d
	bsw.1			// bank 1 whatever the reset state
	;;
	movl r16=0x1111
	;;
	bsw.0
	;;
	movl r16=0x2222
	;;
	bsw.1
	;;
	SHOW msg_b1, r16
	break.m 1
	;;
	SHOW msg_b1, r16
	bsw.0
	;;
	SHOW msg_b0, r16
	bsw.1
	;;
	EXIT 0

handler:
	SHOW msg_h, r16
	mov r2=cr.ipsr
	;;
	shr.u r2=r2,44
	;;
	and r2=1,r2
	;;
	SHOW msg_ipsrbn, r2
	movl r16=0x3333
	mov r2=cr.iip
	;;
	adds r2=16,r2
	;;
	mov cr.iip=r2
	;;
	rfi
	;;

	LIB
	IVT
	.data
msg_b1: .asciz "bank1 r16="
msg_b0: .asciz "bank0 r16="
msg_h: .asciz "handler r16="
msg_ipsrbn: .asciz "ipsr.bn="
