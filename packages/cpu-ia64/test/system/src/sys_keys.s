// Protection keys, probe, NaT pages and a Data Nested TLB fault, translation on with psr.pk = 1:
// a key with no PKR is a Data Key Miss (0x1c00); a PKR with wd makes a store a Key Permission
// fault (0x5100); probe.r/probe.w report rights without faulting; a load from a NaTPage (ma 7) is a
// NaT Consumption fault (0x5600); a data miss with psr.ic = 0 is a Data Nested TLB fault (0x1400),
// which collects nothing and leaves cr.isr as the previous fault set it (the handler resumes at a
// known place). Each fault prints its vector, cr.ifa, cr.itir (not for 0x1400), isr.{x,w,r}
// (1, 2, 4) and isr.code.
	.include "lib.inc"
	DATA = 0x200000
	PSR_PK = 1 << 15
	VA1 = 0x2000000000001000	// key 0x55
	VA2 = 0x2000000000002000	// read only (ar 0)
	VA3 = 0x2000000000003000	// NaTPage
	VA4 = 0x2000000000004000	// never mapped
	.text
	.global _start
_start:
	SET_IVA
	MAP_IDENTITY
	movl r2=(1 << 8) | (12 << 2)
	movl r3=1 << 61
	;;
	mov rr[r3]=r2
	mov r2=1		// pkr0: key 0 (the identity TRs), valid
	;;
	mov pkr[r0]=r2
	;;
	movl r5=VA1
	movl r6=DATA | PTE_RWX
	movl r7=(0x55 << 8) | (12 << 2)
	;;
	br.call.sptk.few b0=insert
	;;
	movl r5=VA2
	movl r6=DATA | 0x061	// ar 0: read only
	mov r7=12 << 2
	;;
	br.call.sptk.few b0=insert
	;;
	movl r5=VA3
	movl r6=DATA | PTE_RWX | (7 << 2)	// ma 7: NaTPage
	mov r7=12 << 2
	;;
	br.call.sptk.few b0=insert
	;;
	movl r14=0x1234
	movl r15=DATA
	;;
	st8 [r15]=r14
	PUTS msg_start
	RFI_TO virtual, PSR_VIRTUAL | PSR_PK
virtual:
	// 1. key 0x55 is in no PKR: Data Key Miss; the handler puts it in pkr1
	movl r15=VA1
	;;
	ld8 r14=[r15]
	;;
	SHOW msg_load, r14
	// 2. pkr1 with wd: a store is a Key Permission fault; the handler clears wd
	mov r14=1
	movl r2=(0x55 << 8) | 2 | 1
	;;
	mov pkr[r14]=r2
	;;
	srlz.d
	;;
	movl r14=0x5678
	;;
	st8 [r15]=r14
	;;
	ld8 r14=[r15]
	;;
	SHOW msg_load, r14
	// 3. probe: VA2 is readable, not writable at pl 0; VA1 both
	movl r15=VA2
	;;
	probe.r r14=r15,0
	;;
	SHOW msg_prober, r14
	probe.w r14=r15,0
	;;
	SHOW msg_probew, r14
	movl r15=VA1
	mov r2=0
	;;
	probe.w r14=r15,r2
	;;
	SHOW msg_probew, r14
	// 4. a NaTPage: NaT Consumption on a load
	movl r15=VA3
	;;
	ld8 r14=[r15]
	;;
	SHOW msg_load, r14
	// 5. a miss with psr.ic = 0: Data Nested TLB; the handler maps the page and resumes at `nested`
	rsm PSR_IC
	;;
	srlz.d
	movl r15=VA4
	;;
	ld8 r14=[r15]
	;;
	PUTS msg_never
	EXIT 1
nested:
	ld8 r14=[r15]
	;;
	SHOW msg_load, r14
	PUTS msg_done
	EXIT 0

insert:	// itc.d of page r5 with pte r6 and itir r7 (psr.ic is 0 here)
	mov cr.ifa=r5
	mov cr.itir=r7
	;;
	itc.d r6
	;;
	srlz.d
	br.ret.sptk.few b0
	;;

handler:
	SHOW msg_vec, r31
	mov r2=0x1400		// Data Nested TLB: ifa/itir are left as they were (not shown)
	;;
	cmp.eq p6,p0=r2,r31
(p6)	br.cond.sptk.few .Lshow_isr
	mov r9=cr.ifa
	;;
	SHOW msg_ifa, r9
	mov r9=cr.itir
	;;
	SHOW msg_itir, r9
.Lshow_isr:
	mov r9=cr.isr
	;;
	shr.u r9=r9,32
	;;
	and r9=7,r9
	;;
	SHOW msg_isr, r9
	mov r9=cr.isr
	;;
	zxt2 r9=r9
	;;
	SHOW msg_code, r9
	mov r2=0x1c00
	mov r3=0x5100
	;;
	cmp.eq p6,p0=r2,r31
	cmp.eq p7,p0=r3,r31
	;;
(p6)	br.cond.sptk.few fix_key
(p7)	br.cond.sptk.few fix_key
	mov r2=0x5600
	mov r3=0x1400
	;;
	cmp.eq p6,p0=r2,r31
	cmp.eq p7,p0=r3,r31
	;;
(p6)	br.cond.sptk.few fix_nat
(p7)	br.cond.sptk.few fix_nested
	PUTS msg_unexpected
	EXIT 2
fix_key:	// pkr1 = key 0x55, valid, no disables
	mov r2=1
	movl r3=(0x55 << 8) | 1
	;;
	mov pkr[r2]=r3
	;;
	srlz.d
	rfi
	;;
fix_nat:	// the page again, write-back, key 0 (the collected itir has the region's rid as key)
	movl r2=DATA | PTE_RWX
	mov r3=12 << 2
	;;
	mov cr.itir=r3
	;;
	itc.d r2
	;;
	rfi
	;;
fix_nested:	// nothing was collected: map the page and restart at `nested`
	movl r2=VA4
	mov r3=12 << 2
	;;
	mov cr.ifa=r2
	mov cr.itir=r3
	movl r2=DATA | PTE_RWX
	;;
	itc.d r2
	movl r2=PSR_VIRTUAL | PSR_PK
	;;
	mov cr.ipsr=r2
	movl r2=nested
	;;
	mov cr.iip=r2
	mov cr.ifs=r0
	;;
	rfi
	;;

	LIB
	IVT
	.data
msg_start: .asciz "keys test\n"
msg_vec: .asciz "vector="
msg_ifa: .asciz " ifa="
msg_itir: .asciz " itir="
msg_isr: .asciz " isr.xwr="
msg_code: .asciz " isr.code="
msg_load: .asciz "load="
msg_prober: .asciz "probe.r="
msg_probew: .asciz "probe.w="
msg_never: .asciz "not reached\n"
msg_done: .asciz "done\n"
msg_unexpected: .asciz "unexpected vector\n"
