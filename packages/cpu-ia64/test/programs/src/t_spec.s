// Control and data speculation: ld.s defers a fault into NaT, NaT propagates through arithmetic,
// chk.s branches to recovery code; ld.a/ld.c/chk.a against the ALAT, with and without an
// intervening store to the same address; ld.sa; invala; ld.c.nc.
	.include "lib.inc"
	START
	mov r20 = r0
	movl r21 = cell
	;;
	ld8.s r22 = [r20]		// unmapped: deferred, r22 = NaT
	ld8.s r23 = [r21]		// fine
	;;
	add r24 = r22, r23		// NaT propagates
	add r25 = r23, r23
	;;
	tnat.nz p6, p7 = r24
	mov r26 = 0
	;;
	(p6) mov r26 = 1
	;;
	PRINT r26
	PRINT r25
	chk.s r24, .Lrecover
	mov r27 = 1			// skipped: r24 is NaT
	;;
	br.cond.sptk .Lafter
	;;
.Lrecover:
	mov r27 = 2
	;;
.Lafter:
	PRINT r27
	chk.s r23, .Lbad		// r23 is fine: no branch
	mov r28 = 3
	;;
	br.cond.sptk .Lgood
	;;
.Lbad:
	mov r28 = 4
	;;
.Lgood:
	PRINT r28
	// data speculation
	ld8.a r30 = [r21]
	;;
	ld8.c.clr r30 = [r21]		// entry still there: no reload
	;;
	PRINT r30
	ld8.a r31 = [r21]
	SET r9, 0x5151
	;;
	st8 [r21] = r9			// store to the same address removes the ALAT entry
	;;
	ld8.c.clr r31 = [r21]		// reloads: sees 0x5151
	;;
	PRINT r31
	ld8.a r2 = [r21]
	;;
	SET r9, 0x6262
	;;
	st8 [r21] = r9
	;;
	chk.a.clr r2, .Lreload		// entry gone: branch to recovery
	mov r3 = 10
	;;
	br.cond.sptk .Lcont
	;;
.Lreload:
	ld8 r2 = [r21]
	mov r3 = 20
	;;
.Lcont:
	PRINT r2
	PRINT r3
	// with no conflicting store the check may pass or (an ALAT may drop entries; Ski keeps none)
	// branch to recovery: only the value is architectural
	ld8.a r10 = [r21]
	;;
	chk.a.nc r10, .Lbad2
	;;
	br.cond.sptk .Lcont2
	;;
.Lbad2:
	ld8 r10 = [r21]
	;;
.Lcont2:
	PRINT r10
	invala
	;;
	chk.a.clr r10, .Lgone		// invala removed it
	mov r11 = 50
	;;
	br.cond.sptk .Lcont3
	;;
.Lgone:
	mov r11 = 60
	;;
.Lcont3:
	PRINT r11
	ld8.sa r12 = [r20]		// speculative advanced from 0: NaT, no entry
	;;
	tnat.nz p8, p0 = r12
	mov r13 = 0
	;;
	(p8) mov r13 = 1
	;;
	PRINT r13
	ld4.c.nc r16 = [r21]		// no entry: loads (and allocates one)
	;;
	PRINT r16
	EXIT

	.data
	.align 8
cell:	data8 0x1234567890abcdef
