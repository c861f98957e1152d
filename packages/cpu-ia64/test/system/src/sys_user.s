// Privileged instructions at cpl 3: each is alone in its bundle and faults through the General
// Exception vector (0x5400) with isr.code 0x10 (Privileged Operation) — or 0x00 (Illegal Operation)
// where the SDM checks psr.ic first (itc with psr.ic = 1); the handler prints the vector and
// isr.code and skips the bundle. thash and mov from ar.itc are allowed at cpl 3. A break returns
// to the kernel.
	.include "lib.inc"
	.text
	.global _start
_start:
	SET_IVA
	PUTS msg_start
	RFI_TO user, PSR_IC | PSR_CPL3
user:
	{ .mii
	ssm 0x4000
	nop.i 0
	nop.i 0 ;;
	}
	{ .mii
	rsm 0x4000
	nop.i 0
	nop.i 0 ;;
	}
	{ .mii
	mov rr[r0]=r0
	nop.i 0
	nop.i 0 ;;
	}
	{ .mii
	mov r2=rr[r0]
	nop.i 0
	nop.i 0 ;;
	}
	{ .mmi
	itc.d r2 ;;
	nop.m 0
	nop.i 0 ;;
	}
	{ .mii
	ptc.e r2
	nop.i 0
	nop.i 0 ;;
	}
	{ .mii
	mov psr.l=r0
	nop.i 0
	nop.i 0 ;;
	}
	{ .mii
	mov r2=psr
	nop.i 0
	nop.i 0 ;;
	}
	{ .mii
	mov cr.tpr=r0
	nop.i 0
	nop.i 0 ;;
	}
	{ .mii
	tpa r2=r0
	nop.i 0
	nop.i 0 ;;
	}
	{ .mii
	mov pkr[r0]=r0
	nop.i 0
	nop.i 0 ;;
	}
	{ .mib
	nop.m 0
	nop.i 0
	bsw.0 ;;
	}
	{ .mib
	nop.m 0
	nop.i 0
	rfi ;;
	}
	PUTS msg_allowed
	movl r14=0x2000000000012345
	;;
	thash r14=r14
	;;
	SHOW msg_thash, r14
	mov r14=ar.itc
	;;
	cmp.ne p6,p7=0,r14
	;;
(p6)	mov r14=1
	;;
	SHOW msg_itc, r14
	break.m 0x100000
	;;
kernel:
	PUTS msg_done
	EXIT 0

handler:
	SHOW msg_vec, r31
	mov r9=cr.isr
	;;
	zxt2 r9=r9
	;;
	SHOW msg_code, r9
	mov r2=0x2c00
	;;
	cmp.eq p6,p0=r2,r31
	mov r2=cr.iip
	;;
	adds r2=16,r2
	;;
	mov cr.iip=r2
	mov r2=cr.ipsr
	movl r3=~(3 << 41)	// ri = 0: the next bundle from its first slot
	;;
	and r2=r2,r3
	;;
	mov cr.ipsr=r2
	movl r3=kernel
	movl r4=PSR_IC
	;;
(p6)	mov cr.iip=r3
(p6)	mov cr.ipsr=r4
	;;
	rfi
	;;

	LIB
	IVT
	.data
msg_start: .asciz "cpl 3 test\n"
msg_allowed: .asciz "allowed at cpl 3:\n"
msg_thash: .asciz "thash="
msg_itc: .asciz "itc!=0:"
msg_vec: .asciz "vector="
msg_code: .asciz " isr.code="
msg_done: .asciz "kernel again\n"
