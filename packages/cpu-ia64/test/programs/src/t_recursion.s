// The register stack under deep recursion: each of 400 frames keeps 24 locals (one of them NaT),
// so the RSE spills thousands of registers (with NaT collections) and fills them on the way back.
// Each frame checks its locals after the call returns; a mismatch adds 1000000 to the result.
	.include "lib.inc"
	START
	mov r20 = ar.bsp
	mov out0 = 400
	;;
	CALL rec
	;;
	PRINT r8
	mov r21 = ar.bsp
	;;
	sub r22 = r21, r20
	;;
	PRINT r22
	mov out0 = 60
	;;
	CALL rec
	;;
	PRINT r8
	EXIT

	.proc rec
rec:
	alloc loc0 = ar.pfs, 1, 24, 1, 0
	mov loc1 = b0
	cmp.eq p6, p7 = 0, in0
	;;
	(p6) mov r8 = 0
	(p6) br.cond.spnt .Ldone
	;;
	add loc2 = in0, in0
	shladd loc3 = in0, 2, in0
	xor loc4 = -1, in0
	sub loc5 = r0, in0
	shl loc6 = in0, 40
	mov loc20 = r0
	;;
	ld8.s loc21 = [loc20]		// address 0 is unmapped: loc21 becomes NaT
	adds loc22 = 7, in0
	mov loc23 = in0
	adds out0 = -1, in0
	;;
	CALL rec
	;;
	add r9 = loc2, loc3
	add r10 = loc4, loc5
	shr.u r11 = loc6, 40
	;;
	add r8 = r8, r9
	add r10 = r10, r11
	;;
	add r8 = r8, r10
	tnat.z p8, p9 = loc21
	sub r9 = loc22, loc23
	;;
	(p8) movl r11 = 1000000
	;;
	(p8) add r8 = r8, r11
	cmp.ne p10, p0 = 7, r9
	;;
	(p10) add r8 = r8, r11
.Ldone:
	mov ar.pfs = loc0
	mov b0 = loc1
	;;
	br.ret.sptk.many b0
	.endp rec
