// The smallest check: constants through movl and adds, printed.
	.include "lib.inc"
	START
	SET r20, 0x0123456789abcdef
	PRINT r20
	adds r21 = -1, r0
	;;
	PRINT r21
	EXIT
