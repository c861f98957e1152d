// Privilege: rfi drops to cpl 3; there a privileged instruction (mov from cr.iva) is a General
// Exception (vector 0x5400, isr.code 0x10 = Privileged Operation) with ipsr.cpl = 3; a break at cpl 3
// reaches 0x2c00 as a system call would; the handler returns to cpl 0 through rfi.
	.include "lib.inc"
	.text
	.global _start
_start:
	SET_IVA
	PUTS msg_start
	mov r20=0
	;;
	RFI_TO user, PSR_IC | PSR_BN | PSR_CPL3
user:
	mov r9=cr.iva		// privileged at cpl 3
	;;
	PUTS msg_user
	break.m 0x100000	// a system call
	;;
	PUTS msg_never
	EXIT 1
kernel:
	PUTS msg_kernel
	mov r9=psr
	;;
	SHOW msg_psr, r9
	EXIT 0

handler:
	SHOW msg_vec, r31
	mov r9=cr.isr
	;;
	SHOW msg_isr, r9
	mov r9=cr.ipsr
	;;
	shr.u r9=r9,32
	;;
	and r9=3,r9
	;;
	SHOW msg_cpl, r9
	mov r2=0x2c00
	;;
	cmp.eq p6,p7=r2,r31
	;;
(p7)	br.cond.sptk.few 1f
	mov r9=cr.iim
	;;
	SHOW msg_iim, r9
1:
	// privileged operation: skip the instruction (it is alone in its bundle's group: next bundle)
	mov r2=cr.iip
	;;
	adds r2=16,r2
	;;
	mov cr.iip=r2
	mov r2=cr.ipsr
	;;
	// the system call returns to the kernel at cpl 0
	movl r3=kernel
	movl r4=PSR_IC | PSR_BN
	;;
(p6)	mov cr.iip=r3
(p6)	mov cr.ipsr=r4
	;;
	rfi
	;;

	LIB
	IVT
	.data
msg_start: .asciz "privilege test\n"
msg_user: .asciz "user code continues\n"
msg_never: .asciz "not reached\n"
msg_kernel: .asciz "kernel again\n"
msg_vec: .asciz "vector="
msg_isr: .asciz "isr="
msg_cpl: .asciz "ipsr.cpl="
msg_iim: .asciz "iim="
msg_psr: .asciz "psr="
