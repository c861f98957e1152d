// print_hex: write r14 as 16 lowercase hex digits and a newline to stdout (write system call).
// Keeps every register but r8, r10 (system call results) and b0-relative state intact: it saves the
// predicates and works only in its own stacked frame.
	.text
	.global print_hex
	.proc print_hex
print_hex:
	alloc r35 = ar.pfs, 0, 8, 3, 0
	mov r36 = pr
	mov r37 = r15
	;;
	movl r32 = hexbuf + 15
	mov r33 = r14
	mov r34 = 16
	;;
.Lloop:
	and r38 = 15, r33
	;;
	cmp.ltu p6, p7 = 9, r38
	;;
	(p6) adds r38 = 87, r38
	(p7) adds r38 = 48, r38
	;;
	st1 [r32] = r38, -1
	shr.u r33 = r33, 4
	adds r34 = -1, r34
	;;
	cmp.ne p6, p0 = 0, r34
	(p6) br.cond.sptk.few .Lloop
	;;
	mov r15 = 1027
	mov out0 = 1
	movl out1 = hexbuf
	mov out2 = 17
	;;
	break 0x100000
	;;
	mov r15 = r37
	mov pr = r36, -1
	mov ar.pfs = r35
	;;
	br.ret.sptk.many b0
	;;
	.endp print_hex

	.data
hexbuf:
	.ascii "0000000000000000\n"
