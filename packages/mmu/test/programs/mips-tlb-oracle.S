# MIPS32 TLB oracle: runs on a real MIPS32 implementation (QEMU malta, 24Kf, big-endian) in kernel
# mode and reports TLB register read-backs and the outcome of loads and stores through TLB entries
# with several page masks, ASIDs, G, V and D settings. Output: big-endian words on COM1.
# Build: mips-linux-gnu-as -EB -march=mips32r2 -o o.o mips-tlb-oracle.S &&
#        mips-linux-gnu-ld -EB -Ttext=0x80100000 -e start -o mips-tlb-oracle.elf o.o
# Run:   qemu-system-mips -M malta -cpu 24Kf -kernel mips-tlb-oracle.elf -serial file:out.bin \
#          -display none -no-reboot
# Committed output: mips-tlb-oracle.qemu.bin, replayed by test/mips-qemu-oracle.test.ts.
        .set noreorder
        .set noat
        .text
        .globl start

        .equ UART, 0xb80003f8
        .equ SOFTRES, 0xbf000500

        .macro OUTW reg
        move    $a0, \reg
        jal     out_word
        nop
        .endm

        .macro SETLO reg, value
        li      $t9, \value
        mtc0    $t9, \reg
        .endm

        # write entry: index, entryhi, lo0, lo1, pagemask
        .macro TLBW index, hi, lo0, lo1, mask
        li      $t9, \index
        mtc0    $t9, $0
        SETLO   $10, \hi
        SETLO   $2, \lo0
        SETLO   $3, \lo1
        SETLO   $5, \mask
        ehb
        tlbwi
        ehb
        .endm

        # access: kind 0 = lw, 1 = sw; prints flag, exccode, badvaddr, entryhi, context, value
        .macro ACCESS kind, va
        sw      $zero, 16($s0)
        move    $v0, $zero
        li      $t8, \va
        .if \kind == 0
        lw      $v0, 0($t8)
        .else
        sw      $t8, 0($t8)
        .endif
        nop
        jal     report
        nop
        .endm

        .macro SETASID asid
        li      $t9, \asid
        mtc0    $t9, $10
        ehb
        .endm

start:
        lui     $s0, %hi(record)
        addiu   $s0, $s0, %lo(record)
        # exception vectors: refill at 0x80000000, general at 0x80000180
        lui     $a0, 0x8000
        lui     $a1, %hi(refill_handler)
        addiu   $a1, $a1, %lo(refill_handler)
        jal     copy_handler
        nop
        lui     $a0, 0x8000
        ori     $a0, $a0, 0x180
        lui     $a1, %hi(general_handler)
        addiu   $a1, $a1, %lo(general_handler)
        jal     copy_handler
        nop
        mtc0    $zero, $12              # Status: BEV=0 ERL=0 EXL=0, kernel mode, interrupts off
        mtc0    $zero, $4               # Context.PTEBase = 0
        mtc0    $zero, $6               # Wired = 0
        ehb
        # markers: every word we load holds its own physical address
        li      $t0, 0x80200010
        jal     mark
        nop
        li      $t0, 0x80201010
        jal     mark
        nop
        li      $t0, 0x80202010
        jal     mark
        nop
        li      $t0, 0x80207ff0
        jal     mark
        nop
        li      $t0, 0x80208010
        jal     mark
        nop
        li      $t0, 0x80400010
        jal     mark
        nop
        li      $t0, 0x81000010
        jal     mark
        nop
        li      $t0, 0x82000010
        jal     mark
        nop
        li      $t0, 0x82fffff0
        jal     mark
        nop

        # invalidate all 16 entries (unique kseg0 VPN2s)
        li      $t0, 0
1:      mtc0    $t0, $0
        sll     $t1, $t0, 13
        lui     $t2, 0x8000
        or      $t1, $t1, $t2
        mtc0    $t1, $10
        mtc0    $zero, $2
        mtc0    $zero, $3
        mtc0    $zero, $5
        ehb
        tlbwi
        addiu   $t0, $t0, 1
        slti    $t1, $t0, 16
        bnez    $t1, 1b
        nop

        # R1: PageMask read-back after writing all ones
        li      $t0, -1
        mtc0    $t0, $5
        ehb
        mfc0    $t0, $5
        OUTW    $t0

        # entries (EntryLo: PFN<<6 | C<<3 | D<<2 | V<<1 | G)
        TLBW 0, 0x00400005, (0x200<<6)|(3<<3)|6, (0x201<<6)|(2<<3)|2, 0
        TLBW 1, 0x00410005, (0x203<<6)|(3<<3)|4, (0x202<<6)|(3<<3)|6, 0
        TLBW 2, 0x01006005, (0x204<<6)|(3<<3)|6, (0x208<<6)|(3<<3)|2, 0x6000
        TLBW 3, 0x02000007, (0x300<<6)|(3<<3)|6, (0x400<<6)|(3<<3)|6, 0x1fe000
        TLBW 4, 0xc0000009, (0x1000<<6)|(3<<3)|7, (0x2000<<6)|(3<<3)|7, 0x1ffe000

        # R2/R3: TLBR of entries 2 and 4
        li      $t0, 2
        mtc0    $t0, $0
        ehb
        tlbr
        ehb
        mfc0    $t0, $10
        OUTW    $t0
        mfc0    $t0, $2
        OUTW    $t0
        mfc0    $t0, $3
        OUTW    $t0
        mfc0    $t0, $5
        OUTW    $t0
        li      $t0, 4
        mtc0    $t0, $0
        ehb
        tlbr
        ehb
        mfc0    $t0, $10
        OUTW    $t0
        mfc0    $t0, $2
        OUTW    $t0
        mfc0    $t0, $3
        OUTW    $t0
        mfc0    $t0, $5
        OUTW    $t0

        # R4: TLBP hit inside the 16 KiB pair; R5: TLBP miss (P bit)
        SETLO   $10, 0x01006005
        ehb
        tlbp
        ehb
        mfc0    $t0, $0
        OUTW    $t0
        SETLO   $10, 0x00420005
        ehb
        tlbp
        ehb
        mfc0    $t0, $0
        lui     $t1, 0x8000
        and     $t0, $t0, $t1
        OUTW    $t0

        # accesses with ASID 5
        SETASID 5
        ACCESS 0, 0x00400010
        ACCESS 0, 0x00401010
        ACCESS 1, 0x00401010
        ACCESS 0, 0x00410010
        ACCESS 1, 0x00410010
        ACCESS 0, 0x00411010
        ACCESS 0, 0x00420010
        SETASID 5
        ACCESS 1, 0x00420010
        SETASID 5
        ACCESS 0, 0x01003ff0
        ACCESS 0, 0x01004010
        ACCESS 1, 0x01004010
        ACCESS 0, 0x02000010
        SETASID 7
        ACCESS 0, 0x02100010
        ACCESS 0, 0x00400010
        SETASID 7
        ACCESS 0, 0xc0000010
        ACCESS 0, 0xc1000010
        SETASID 5
        ACCESS 0, 0xc1fffff0

        li      $t0, SOFTRES
        li      $t1, 0x42
        sw      $t1, 0($t0)
2:      b       2b
        nop

# ---- helpers ----
mark:                                   # *t0 = t0 - 0x80000000 (the physical address)
        lui     $t1, 0x8000
        subu    $t1, $t0, $t1
        jr      $ra
        sw      $t1, 0($t0)

report:                                 # flag, exccode, badvaddr, entryhi, context, value
        move    $s1, $ra
        move    $s2, $v0
        lw      $t0, 16($s0)
        OUTW    $t0
        lw      $t0, 0($s0)
        srl     $t0, $t0, 2
        andi    $t0, $t0, 0x1f
        lw      $t1, 16($s0)
        bnez    $t1, 3f
        nop
        move    $t0, $zero
3:      OUTW    $t0
        lw      $t0, 4($s0)
        OUTW    $t0
        lw      $t0, 8($s0)
        OUTW    $t0
        lw      $t0, 12($s0)
        OUTW    $t0
        OUTW    $s2
        jr      $s1
        nop

out_word:                               # big-endian bytes of a0 to COM1
        li      $t3, UART
        srl     $t4, $a0, 24
        sb      $t4, 0($t3)
        srl     $t4, $a0, 16
        sb      $t4, 0($t3)
        srl     $t4, $a0, 8
        sb      $t4, 0($t3)
        jr      $ra
        sb      $a0, 0($t3)

copy_handler:                           # copy 32 words from a1 to a0
        li      $t0, 32
4:      lw      $t1, 0($a1)
        sw      $t1, 0($a0)
        addiu   $a0, $a0, 4
        addiu   $a1, $a1, 4
        addiu   $t0, $t0, -1
        bnez    $t0, 4b
        nop
        jr      $ra
        nop

# Handlers: record Cause, BadVAddr, EntryHi, Context and which vector; skip the access; return.
        .macro HANDLER flag
        lui     $k1, %hi(record)
        addiu   $k1, $k1, %lo(record)
        mfc0    $k0, $13
        sw      $k0, 0($k1)
        mfc0    $k0, $8
        sw      $k0, 4($k1)
        mfc0    $k0, $10
        sw      $k0, 8($k1)
        mfc0    $k0, $4
        sw      $k0, 12($k1)
        li      $k0, \flag
        sw      $k0, 16($k1)
        mfc0    $k0, $14
        addiu   $k0, $k0, 4
        mtc0    $k0, $14
        ehb
        eret
        nop
        .endm

refill_handler:
        HANDLER 1
general_handler:
        HANDLER 2

        .data
        .align 4
record: .word 0, 0, 0, 0, 0
