// Benchmark: a floating-point kernel, sum of squares over 1024 doubles (ldfd with post-increment,
// fma.d, br.cloop) repeated 2000 times: about 10 M instructions; prints the sum's bits (5544000.0).
	.include "lib.inc"
	.data
	.align 16
xs:
	.rept 256
	.double 1.25
	.double -0.5
	.double 3.0
	.double 0.125
	.endr
	START
	mov r30 = 2000
	mov f8 = f0
	;;
.Louter:
	movl r2 = xs
	mov r21 = 1023
	;;
	mov ar.lc = r21
	;;
.Linner:
	ldfd f10 = [r2], 8
	;;
	fma.d f8 = f10, f10, f8
	br.cloop.sptk.few .Linner
	;;
	adds r30 = -1, r30
	;;
	cmp.ne p6, p0 = 0, r30
	(p6) br.cond.dptk .Louter
	;;
	getf.d r14 = f8
	;;
	PRINT r14
	EXIT
