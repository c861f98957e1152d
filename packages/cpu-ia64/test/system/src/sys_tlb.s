// Translation: identity TRs for code, data and the UART, then with psr.it/dt/ic on (via rfi):
// an Alternate Data TLB miss handled by itc.d; tpa and tak; ptc.l; a short-format VHPT (thash, ttag,
// a VHPT Translation fault, a Data TLB fault, a walker hit); Dirty-Bit, Data Access-Bit, Page Not
// Present, Data Access Rights; an Alternate Instruction TLB miss handled by itc.i. Each fault prints
// its vector and cr.ifa, cr.itir, isr.{x,w,r} (1, 2, 4); iha as well for 0x0000 and 0x0800.
	.include "lib.inc"
	DATA = 0x200000		// physical data page (markers below)
	VHPT = 0x300000		// physical page behind the VHPT's first 16K
	VA1 = 0x2000000000001008	// region 1: rid 1, 4K, no VHPT
	VA2 = 0x4000000000123458	// region 2: rid 2, 16K, VHPT on
	VA3 = 0x4000000000128000
	VA6 = 0x6000000000000000	// region 3: code
	.text
	.global _start
_start:
	SET_IVA
	MAP_IDENTITY
	movl r2=(1 << 8) | (12 << 2)
	movl r3=1 << 61
	;;
	mov rr[r3]=r2
	movl r2=(2 << 8) | (14 << 2) | 1
	movl r3=2 << 61
	;;
	mov rr[r3]=r2
	movl r2=(3 << 8) | (12 << 2)
	movl r3=3 << 61
	;;
	mov rr[r3]=r2
	;;
	PUTS msg_start
	RFI_TO virtual, PSR_VIRTUAL
virtual:
	PUTS msg_virtual
	// markers in physical memory, through the identity map
	movl r15=DATA
	movl r14=0x1122334455667788
	;;
	st8 [r15]=r14,8
	;;
	st8 [r15]=r14
	movl r15=DATA + 0x3458
	movl r14=0xcafe
	;;
	st8 [r15]=r14
	;;
	// 1. a miss in a region without VHPT: Alternate Data TLB
	movl r15=VA1
	;;
	ld8 r14=[r15]
	;;
	SHOW msg_load, r14
	tpa r14=r15
	;;
	SHOW msg_tpa, r14
	tak r14=r15
	;;
	SHOW msg_tak, r14
	// 2. ptc.l removes it: the next load misses again
	mov r14=12 << 2
	;;
	ptc.l r15,r14
	;;
	srlz.d
	;;
	ld8 r14=[r15]
	;;
	SHOW msg_load, r14
	// 3. the VHPT: 64K short-format table at pta.base 1M
	movl r14=0x100000 | (16 << 2) | 1
	;;
	mov cr.pta=r14
	movl r15=VA2
	;;
	srlz.d
	thash r14=r15
	;;
	SHOW msg_thash, r14
	ttag r14=r15
	;;
	SHOW msg_ttag, r14
	ld8 r14=[r15]		// VHPT Translation, then Data TLB
	;;
	SHOW msg_load, r14
	// a present entry in the VHPT: the walker inserts it, no fault
	movl r15=VHPT + (0x4a << 3)
	movl r14=DATA | PTE_RWX
	;;
	st8 [r15]=r14
	movl r15=VA3
	;;
	ld8 r14=[r15]
	;;
	SHOW msg_walk, r14
	// 4. dirty bit, access bit, not present, access rights: insert with itc.d, then touch
	movl r5=0x2000000000005000
	movl r6=DATA | 0x621	// no d
	;;
	br.call.sptk.few b0=insert
	;;
	mov r14=0x77
	;;
	st8 [r5]=r14
	;;
	ld8 r14=[r5]
	;;
	SHOW msg_load, r14
	movl r5=0x2000000000006000
	movl r6=DATA | 0x641	// no a
	;;
	br.call.sptk.few b0=insert
	;;
	ld8 r14=[r5]
	;;
	SHOW msg_load, r14
	movl r5=0x2000000000007000
	movl r6=DATA | 0x660	// not present
	;;
	br.call.sptk.few b0=insert
	;;
	ld8 r14=[r5]
	;;
	SHOW msg_load, r14
	movl r5=0x2000000000008000
	movl r6=DATA | 0x061	// ar 0: read only
	;;
	br.call.sptk.few b0=insert
	;;
	mov r14=0x88
	;;
	st8 [r5]=r14
	;;
	ld8 r14=[r5]
	;;
	SHOW msg_load, r14
	// 5. code in region 3: Alternate Instruction TLB, then it runs
	movl r14=back
	movl r15=VA6 + (far_code - far_page)
	;;
	mov b6=r14
	mov b1=r15
	;;
	br.sptk.few b1
	;;
back:
	PUTS msg_done
	EXIT 0

insert:	// itc.d of page r5 with pte r6 (4K), with collection off around it
	rsm PSR_IC
	;;
	srlz.d
	mov cr.ifa=r5
	mov r14=12 << 2
	;;
	mov cr.itir=r14
	;;
	itc.d r6
	;;
	ssm PSR_IC
	;;
	srlz.d
	br.ret.sptk.few b0
	;;

handler:
	SHOW msg_vec, r31
	mov r9=cr.ifa
	;;
	SHOW msg_ifa, r9
	mov r9=cr.itir
	;;
	SHOW msg_itir, r9
	mov r9=cr.isr
	;;
	shr.u r9=r9,32
	;;
	and r9=7,r9
	;;
	SHOW msg_isr, r9
	cmp.eq p6,p0=0,r31
	mov r2=0x800
	;;
	cmp.eq p7,p0=r2,r31
	;;
(p6)	br.cond.sptk.few 1f
(p7)	br.cond.sptk.few 1f
	br.sptk.few 2f
	;;
1:	mov r9=cr.iha
	;;
	SHOW msg_iha, r9
2:	cmp.eq p6,p0=0,r31	// VHPT Translation: map the VHPT page
	mov r2=0xc00
	;;
	cmp.eq p7,p0=r2,r31	// Alternate Instruction TLB: map far_page
(p6)	br.cond.sptk.few fix_vhpt
(p7)	br.cond.sptk.few fix_code
	;;
	mov r2=0x1000
	mov r3=0x800
	;;
	cmp.eq p6,p0=r2,r31
	cmp.eq p7,p0=r3,r31
	;;
(p6)	br.cond.sptk.few fix_data
(p7)	br.cond.sptk.few fix_data
	mov r2=0x2000
	mov r3=0x2800
	;;
	cmp.eq p6,p0=r2,r31
	cmp.eq p7,p0=r3,r31
	;;
(p6)	br.cond.sptk.few fix_data
(p7)	br.cond.sptk.few fix_data
	mov r2=0x5000
	mov r3=0x5300
	;;
	cmp.eq p6,p0=r2,r31
	cmp.eq p7,p0=r3,r31
	;;
(p6)	br.cond.sptk.few fix_data
(p7)	br.cond.sptk.few fix_data
	PUTS msg_unexpected
	EXIT 2
fix_data:	// map the faulting page (cr.ifa, cr.itir as collected) to DATA, all rights
	movl r2=DATA | PTE_RWX
	;;
	itc.d r2
	;;
	rfi
	;;
fix_vhpt:
	mov r2=cr.iha
	;;
	mov cr.ifa=r2
	movl r3=VHPT | PTE_RWX
	;;
	itc.d r3
	;;
	rfi
	;;
fix_code:
	movl r2=far_page
	movl r3=PTE_RWX
	;;
	or r2=r2,r3
	;;
	itc.i r2
	;;
	rfi
	;;

	.align 4096
far_page:
far_code:
	PUTS msg_far
	br.sptk.few b6
	;;

	LIB
	IVT
	.data
msg_start: .asciz "tlb test\n"
msg_virtual: .asciz "translation on\n"
msg_vec: .asciz "vector="
msg_ifa: .asciz " ifa="
msg_itir: .asciz " itir="
msg_isr: .asciz " isr.xwr="
msg_iha: .asciz " iha="
msg_load: .asciz "load="
msg_tpa: .asciz "tpa="
msg_tak: .asciz "tak="
msg_thash: .asciz "thash="
msg_ttag: .asciz "ttag="
msg_walk: .asciz "walker load="
msg_far: .asciz "far code runs\n"
msg_done: .asciz "done\n"
msg_unexpected: .asciz "unexpected vector\n"
