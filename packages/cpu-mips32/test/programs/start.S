# Bare-metal startup for the oracle programs (run under qemu-system-mipsel -M malta -kernel, and
# under cpu-mips32's test harness). Sets kernel mode with BEV=0, ERL=0 and EBase = the vectors
# below, calls main(), then resets the board through the Malta SOFTRES register.
    .set noreorder
    .set noat
    .text
    .globl _start
_start:
    la    $sp, _stack_top
    mtc0  $zero, $12            # Status: kernel, BEV=0, ERL=0, EXL=0, IE=0
    la    $t0, _vectors
    mtc0  $t0, $15, 1           # EBase
    mtc0  $zero, $13            # Cause: IV=0, IP1..0=0
    ehb
    la    $t0, __bss_start
    la    $t1, _end
1:  sltu  $t2, $t0, $t1
    beqz  $t2, 2f
    nop
    sw    $zero, 0($t0)
    b     1b
    addiu $t0, $t0, 4
2:  jal   main
    nop
    li    $t0, 0xbf000500       # Malta SOFTRES
    li    $t1, 0x42
    sw    $t1, 0($t0)
3:  b     3b
    nop

# Exception vectors (EBase + 0x000 TLB refill, + 0x180 general, + 0x200 interrupt with Cause.IV).
# The common handler records vector, Cause, EPC, BadVAddr, Status in exc_log, counts, and returns:
# interrupts clear their source (Compare rewritten, IP1..0 cleared) and return to EPC; other
# exceptions return to exc_resume when it is set (leaving user mode), else to EPC + 4.
    .section .vectors, "ax"
    .globl _vectors
_vectors:
    li    $k1, 1
    j     exc_common
    nop
    .org 0x180
    li    $k1, 2
    j     exc_common
    nop
    .org 0x200
    li    $k1, 3
    j     exc_common
    nop
    .org 0x280
exc_common:
    la    $k0, exc_log
    sw    $k1, 0($k0)
    mfc0  $k1, $13
    sw    $k1, 4($k0)
    mfc0  $k1, $14
    sw    $k1, 8($k0)
    mfc0  $k1, $8
    sw    $k1, 12($k0)
    mfc0  $k1, $12
    sw    $k1, 16($k0)
    lw    $k1, 20($k0)
    addiu $k1, $k1, 1
    sw    $k1, 20($k0)
    mfc0  $k1, $13
    andi  $k1, $k1, 0x7c
    bnez  $k1, 5f
    nop
    # interrupt: acknowledge the timer and the software interrupts
    mfc0  $k1, $11
    mtc0  $k1, $11
    mtc0  $zero, $13
    ehb
    eret
5:  lw    $k1, 24($k0)
    beqz  $k1, 6f
    nop
    sw    $zero, 24($k0)
    mtc0  $k1, $14
    mfc0  $k1, $12
    ins   $k1, $zero, 4, 1      # back to kernel mode
    mtc0  $k1, $12
    ehb
    eret
6:  mfc0  $k1, $14
    addiu $k1, $k1, 4
    mtc0  $k1, $14
    ehb
    eret

    .data
    .globl exc_log
    .align 2
exc_log:
    .space 28
