// Benchmark: naive fib(27) with a register-stack frame per call (alloc, br.call, br.ret): the
// RSE spills and fills as the recursion goes up and down.
	.include "lib.inc"
	START
	mov out0 = 27
	;;
	CALL fib
	PRINT r8
	EXIT

	.proc fib
fib:
	alloc loc0 = ar.pfs, 1, 3, 1, 0
	mov loc1 = b0
	cmp.gt p6, p7 = 2, in0
	;;
	(p6) mov r8 = in0
	(p6) br.cond.dpnt .Lret
	;;
	adds out0 = -1, in0
	;;
	CALL fib
	mov loc2 = r8
	adds out0 = -2, in0
	;;
	CALL fib
	add r8 = r8, loc2
	;;
.Lret:
	mov ar.pfs = loc0
	mov b0 = loc1
	;;
	br.ret.sptk.many b0
	.endp fib
