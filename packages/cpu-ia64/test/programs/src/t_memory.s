// Loads and stores of every size with immediate and register post-increment, zero extension,
// acquire/release/bias forms, st8.spill/ld8.fill with ar.unat, cmpxchg, xchg, fetchadd.
	.include "lib.inc"
	START
	movl r20 = buf
	SET r21, 0x8899aabbccddeeff
	;;
	st8 [r20] = r21
	;;
	ld1 r22 = [r20]
	ld2 r23 = [r20]
	ld4 r24 = [r20]
	ld8 r25 = [r20]
	;;
	PRINT r22
	PRINT r23
	PRINT r24
	PRINT r25
	mov r28 = r20
	;;
	st1 [r28] = r21, 2
	;;
	st2 [r28] = r21, 2
	;;
	st4 [r28] = r21, 4
	;;
	st8 [r28] = r21, -8
	;;
	sub r29 = r28, r20
	;;
	PRINT r29
	ld8 r30 = [r20], 8
	;;
	PRINT r30
	ld8 r30 = [r20]
	;;
	PRINT r30
	mov r31 = 8
	;;
	ld8.acq r2 = [r20], r31
	;;
	PRINT r2
	adds r20 = -16, r20
	;;
	ld4.bias r3 = [r20]
	st4.rel [r20] = r0
	;;
	PRINT r3
	ld8 r3 = [r20]
	;;
	PRINT r3
	// spill/fill keep the NaT bit in ar.unat (bit = address bits 8:3)
	mov r9 = r0
	;;
	ld8.s r10 = [r9]		// NaT
	adds r11 = 64, r20
	;;
	st8.spill [r11] = r10
	;;
	mov r12 = ar.unat
	;;
	extr.u r12 = r12, 0, 16
	;;
	PRINT r12
	ld8.fill r13 = [r11]
	;;
	tnat.nz p6, p7 = r13
	mov r15 = 0
	;;
	(p6) mov r15 = 1
	;;
	PRINT r15
	// semaphores
	SET r16, 50
	adds r17 = 128, r20
	;;
	st8 [r17] = r16
	mov ar.ccv = r16
	SET r18, 77
	;;
	cmpxchg8.acq r19 = [r17], r18, ar.ccv	// equal: stores 77
	;;
	PRINT r19
	ld8 r19 = [r17]
	;;
	PRINT r19
	cmpxchg8.rel r19 = [r17], r16, ar.ccv	// 77 != 50: no store
	;;
	ld8 r19 = [r17]
	;;
	PRINT r19
	xchg4 r19 = [r17], r21
	;;
	PRINT r19
	ld8 r19 = [r17]
	;;
	PRINT r19
	fetchadd8.acq r19 = [r17], -16
	;;
	ld8 r22 = [r17]
	;;
	PRINT r19
	PRINT r22
	fetchadd4.rel r19 = [r17], 1
	;;
	ld8 r22 = [r17]
	;;
	PRINT r22
	xchg1 r19 = [r17], r0
	;;
	ld8 r22 = [r17]
	;;
	PRINT r22
	EXIT

	.data
	.align 16
buf:	.skip 256
