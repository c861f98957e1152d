// cover and rfi: with psr.ic = 0, cover saves the frame marker in cr.ifs (valid bit 63) and starts
// an empty frame; rfi with ifs.v makes the covered frame current again. With psr.ic = 1, reading an
// interruption control register (cr.ifa) and itc are Illegal Operation faults (General Exception,
// isr.code 0).
	.include "lib.inc"
	.text
	.global _start
_start:
	SET_IVA
	mov ar.rsc=r0
	movl r2=0x280000	// backing store
	;;
	mov ar.bspstore=r2
	;;
	alloc r33=ar.pfs,0,3,0,0
	;;
	mov r32=0x32
	mov r34=0x34
	;;
	cover
	;;
	mov r14=cr.ifs
	;;
	SHOW msg_ifs, r14
	mov r14=ar.bsp
	;;
	SHOW msg_bsp, r14
	RFI_TO_KEEP_IFS after, PSR_IC | PSR_BN
after:
	SHOW msg_r32, r32
	SHOW msg_r34, r34
	mov r14=ar.bsp
	;;
	SHOW msg_bsp, r14
	{ .mii
	mov r14=cr.ifa		// psr.ic = 1: Illegal Operation (the handler skips the bundle)
	nop.i 0
	nop.i 0
	;;
	}
	PUTS msg_skipped
	{ .mmi
	itc.d r14		// also illegal with psr.ic = 1
	;;
	nop.m 0
	nop.i 0
	;;
	}
	PUTS msg_skipped
	EXIT 0

handler:
	SHOW msg_vec, r31
	mov r9=cr.isr
	;;
	zxt1 r9=r9
	;;
	SHOW msg_code, r9
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
msg_ifs: .asciz "ifs="
msg_bsp: .asciz "bsp="
msg_r32: .asciz "r32="
msg_r34: .asciz "r34="
msg_skipped: .asciz "skipped\n"
msg_vec: .asciz "vector="
msg_code: .asciz "isr.code="
