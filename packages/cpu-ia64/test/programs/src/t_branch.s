// Branch forms: predicated br.cond taken and not, indirect br.cond through b6, br.call/br.ret
// direct and indirect, brl.cond and brl.call, mov from ip, mov to/from branch registers.
	.include "lib.inc"
	START
	mov r20 = 0
	cmp.eq p6, p7 = r0, r0
	;;
	(p7) br.cond.dptk .Lskip1		// not taken
	adds r20 = 1, r20
	;;
.Lskip1:
	(p6) br.cond.dptk .Lskip2		// taken
	adds r20 = 16, r20
	;;
.Lskip2:
	PRINT r20
	movl r21 = .Ltarget
	;;
	mov b6 = r21
	;;
	br.cond.sptk.few b6
	;;
	adds r20 = 256, r20
	;;
.Ltarget:
	mov r22 = b6
	;;
	sub r22 = r22, r21
	;;
	PRINT r22
	mov out0 = 5
	;;
	CALL triple
	;;
	PRINT r8
	movl r23 = triple
	;;
	mov b7 = r23
	mov out0 = 7
	;;
	CALL b7
	;;
	PRINT r8
	mov out0 = 9
	;;
	{ .mlx
	nop.m 0
	brl.call.sptk.many b0 = triple
	;;
	}
	PRINT r8
	brl.cond.sptk.many .Lfar
	;;
	adds r20 = 4096, r20
	;;
.Lfar:
	PRINT r20
	mov r24 = ip
	;;
	mov r25 = ip
	;;
	sub r26 = r25, r24
	;;
	PRINT r26
	EXIT

	.proc triple
triple:
	alloc r2 = ar.pfs, 1, 0, 0, 0
	;;
	shladd r8 = in0, 1, in0
	br.ret.sptk.many b0
	.endp triple
