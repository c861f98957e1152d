// flushrs, ar.bsp/ar.bspstore, backing-store layout, mov ar.bspstore (invalidates the clean
// partition so that returning fills from memory), cover, alloc frame growth.
	.include "lib.inc"
	START
	mov r20 = ar.bsp
	;;
	SET r21, 0x1111
	mov out0 = r21
	;;
	CALL outer
	;;
	PRINT r8
	mov r22 = ar.bsp
	;;
	sub r22 = r22, r20
	;;
	PRINT r22
	// cover: the 24-register frame becomes dirty, bsp moves by 24 (+1 NaT slot if crossed)
	mov r23 = ar.bsp
	;;
	cover
	;;
	mov r24 = ar.bsp
	;;
	alloc r3 = ar.pfs, 0, 4, 4, 0
	;;
	sub r24 = r24, r23
	;;
	PRINT r24
	EXIT

	.proc outer
outer:
	alloc loc0 = ar.pfs, 1, 3, 1, 0
	mov loc1 = b0
	adds loc2 = 5, in0
	;;
	mov out0 = loc2
	CALL inner
	;;
	// inner replaced our spilled in0 in the backing store: we see the new value after the fill
	add r8 = in0, loc2
	mov ar.pfs = loc0
	mov b0 = loc1
	;;
	br.ret.sptk.many b0
	.endp outer

	.proc inner
inner:
	alloc loc0 = ar.pfs, 1, 3, 0, 0
	mov loc2 = b0
	;;
	flushrs
	;;
	mov loc1 = ar.bspstore
	;;
	mov r17 = ar.bsp
	;;
	sub r9 = r17, loc1		// 0 after flushrs
	;;
	PRINT r9
	// the caller's frame (in0, loc0, loc1, loc2, out0 = 5 registers) sits just below our bsp:
	// its in0 is 4 slots down (sol = 4; no NaT collection slot in between at this depth)
	adds r18 = -32, r17
	;;
	ld8 r11 = [r18]
	;;
	PRINT r11
	SET r12, 0x2222
	st8 [r18] = r12
	mov ar.rsc = 0
	;;
	loadrs				// ar.rsc.loadrs = 0: every register outside this frame is forgotten
	;;
	mov ar.rsc = 3
	mov ar.pfs = loc0
	mov b0 = loc2
	;;
	br.ret.sptk.many b0
	.endp inner
