// Modulo-scheduled loops: br.ctop with rotating GRs and predicates (a 3-stage copy-and-add
// pipeline), br.cexit, br.wtop/br.wexit driven by a predicate, br.cloop, and the final
// ar.lc/ar.ec/pr values.
	.include "lib.inc"
	START
	alloc r3 = ar.pfs, 0, 24, 8, 16		// r32..r47 rotate
	;;
	movl r20 = src
	movl r21 = dst
	mov ar.lc = 9
	mov ar.ec = 3
	;;
	mov pr.rot = 1 << 16
	;;
.Lctop:
	(p16) ld8 r32 = [r20], 8
	(p17) adds r34 = 100, r33
	(p18) st8 [r21] = r35, 8
	br.ctop.sptk.few .Lctop
	;;
	movl r21 = dst
	mov r22 = 0
	mov r23 = 10
	;;
.Lsum:
	ld8 r24 = [r21], 8
	adds r23 = -1, r23
	;;
	shladd r22 = r22, 1, r24		// order-sensitive checksum
	cmp.ne p6, p0 = 0, r23
	(p6) br.cond.sptk .Lsum
	;;
	PRINT r22
	mov r24 = ar.lc
	mov r25 = ar.ec
	;;
	PRINT r24
	PRINT r25
	mov r26 = pr
	;;
	shr.u r26 = r26, 16
	;;
	PRINT r26
	// rotation of r32..r47: the value written to r32 is found in r36 four rotations later
	clrrrb
	;;
	mov ar.lc = 3
	mov ar.ec = 1
	mov r32 = 77
	;;
.Lrot:
	br.ctop.sptk.few .Lrot
	;;
	PRINT r36
	clrrrb
	;;
	// br.cexit: falls through while counting, leaves when the pipeline drains
	mov ar.lc = 4
	mov ar.ec = 2
	mov r27 = 0
	;;
.Lcexit:
	adds r27 = 1, r27
	br.cexit.spnt.few .Lout
	;;
	br.cond.sptk .Lcexit
	;;
.Lout:
	PRINT r27
	clrrrb
	;;
	// br.wtop: loop while p6 (computed in the body); ar.ec = 1: no epilogue stages
	mov ar.ec = 1
	mov r28 = 5
	mov r29 = 0
	cmp.eq p6, p0 = r0, r0
	;;
.Lwtop:
	adds r28 = -1, r28
	adds r29 = 1, r29
	;;
	cmp.ne p6, p0 = 0, r28
	;;
	(p6) br.wtop.sptk.few .Lwtop
	;;
	PRINT r29
	mov r30 = ar.ec
	;;
	PRINT r30
	clrrrb
	;;
	// br.wexit: exits when p6 is 0 and the epilogue is done
	mov ar.ec = 1
	mov r28 = 3
	mov r29 = 0
	;;
.Lwexit:
	adds r28 = -1, r28
	adds r29 = 1, r29
	;;
	cmp.ne p6, p0 = 0, r28
	;;
	(p6) br.wexit.spnt.few .Lwdone
	;;
	br.cond.sptk .Lwexit
	;;
.Lwdone:
	PRINT r29
	clrrrb
	;;
	// br.cloop
	mov ar.lc = 6
	mov r31 = 0
	;;
.Lcloop:
	adds r31 = 3, r31
	br.cloop.sptk.few .Lcloop
	;;
	PRINT r31
	mov r31 = ar.lc
	;;
	PRINT r31
	EXIT

	.data
	.align 8
src:	data8 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
dst:	.skip 80
