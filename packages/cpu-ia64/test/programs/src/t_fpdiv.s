// Double-precision division the way compilers emit it: frcpa's approximation refined by fma steps
// (the result is correctly rounded whatever table frcpa uses), and frcpa's special cases (p6 = 0:
// the quotient itself). Each case prints the quotient's IEEE double bits.
	.include "lib.inc"
	START
	SET r2, 0x0009804c0270033f
	mov ar.fpsr = r2
	;;
	movl r20 = pairs
	mov r21 = 9
	;;
.Lnext:
	ld8 r22 = [r20], 8
	;;
	ld8 r23 = [r20], 8
	;;
	setf.d f6 = r22
	setf.d f7 = r23
	;;
	frcpa.s0 f10, p6 = f6, f7
	;;
	(p6) fnma.s1 f11 = f7, f10, f1
	(p6) fma.s1 f12 = f6, f10, f0
	;;
	(p6) fmpy.s1 f13 = f11, f11
	(p6) fma.s1 f12 = f11, f12, f12
	(p6) fma.s1 f10 = f11, f10, f10
	;;
	(p6) fma.s1 f11 = f13, f13, f0
	(p6) fma.s1 f12 = f13, f12, f12
	(p6) fma.s1 f10 = f13, f10, f10
	;;
	(p6) fma.d.s1 f12 = f11, f12, f12
	(p6) fma.s1 f10 = f11, f10, f10
	;;
	(p6) fnma.d.s1 f11 = f7, f12, f6
	;;
	(p6) fma.d.s0 f10 = f11, f10, f12
	;;
	getf.d r24 = f10
	;;
	PRINT r24
	adds r21 = -1, r21
	;;
	cmp.ne p8, p0 = 0, r21
	(p8) br.cond.sptk .Lnext
	;;
	EXIT

	.data
	.align 8
pairs:
	data8 0x3ff0000000000000, 0x4008000000000000	// 1 / 3
	data8 0x4024000000000000, 0x3fb999999999999a	// 10 / 0.1
	data8 0xc01f000000000000, 0x4000000000000000	// -7.75 / 2
	data8 0x419d6f3454000000, 0x40c81c8000000000	// 123456789 / 12345
	data8 0x7e37e43c8800759c, 0x3fd5555555555555	// 1e300 / (1/3)
	data8 0x3ff0000000000000, 0x0000000000000000	// 1 / 0: +inf, p6 = 0
	data8 0x0000000000000000, 0xc008000000000000	// 0 / -3: -0
	data8 0x7ff0000000000000, 0x3ff0000000000000	// inf / 1
	data8 0x0000000000000000, 0x0000000000000000	// 0 / 0: NaN
