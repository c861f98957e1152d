# MIPS32 TLB oracle: runs on a real MIPS32 implementation (QEMU malta, 24Kf, big-endian) in kernel
# mode and reports TLB register read-backs and the outcome of loads and stores through TLB entries
# with several page masks, ASIDs, G, V and D settings. Output: big-endian words on COM1.
# Build: mips-linux-gnu-as -EB -march=mips32r2 -o o.o mips-tlb-oracle.S &&
#        mips-linux-gnu-ld -EB -Ttext=0x80100000 -e start -o mips-tlb-oracle.elf o.o
# Run:   qemu-system-mips -M malta -cpu 24Kf -kernel mips-tlb-oracle.elf -serial file:out.bin \
#          -display none -no-reboot
# Then user mode (code mapped at 0x00600000): kuseg load, address errors, refill, SYSCALL back.
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
        lui     $a1, %hi(refill_stub)
        addiu   $a1, $a1, %lo(refill_stub)
        jal     copy_handler
        nop
        lui     $a0, 0x8000
        ori     $a0, $a0, 0x180
        lui     $a1, %hi(general_stub)
        addiu   $a1, $a1, %lo(general_stub)
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


        # ---- user mode: map the user code page, enter it with ERET, log its exceptions ----
        la      $t0, user_code
        lui     $t1, 0x8000
        subu    $t0, $t0, $t1           # physical address of user_code
        srl     $t0, $t0, 12
        sll     $t0, $t0, 6
        ori     $t1, $t0, (3<<3)|7      # even page: PFN, C=3, D, V, G
        addiu   $t2, $t1, 0x40          # odd page: next frame
        li      $t9, 5
        mtc0    $t9, $0
        li      $t9, 0x00600005
        mtc0    $t9, $10
        mtc0    $t1, $2
        mtc0    $t2, $3
        mtc0    $zero, $5
        ehb
        tlbwi
        SETASID 5
        li      $t0, 1
        sw      $t0, 24($s0)            # logging on
        li      $t0, 0x00600000
        mtc0    $t0, $14                # EPC = user code
        mfc0    $t0, $12
        ori     $t0, $t0, 0x12          # KSU = user, EXL = 1
        mtc0    $t0, $12
        ehb
        eret
        nop
after_user:
        sw      $zero, 24($s0)          # logging off
        lw      $t0, 20($s0)
        OUTW    $t0
        lw      $s3, 20($s0)
        addiu   $s4, $s0, 32
7:      beqz    $s3, 8f
        nop
        lw      $t0, 0($s4)
        OUTW    $t0
        addiu   $s4, $s4, 4
        b       7b
        addiu   $s3, $s3, -1
8:
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

copy_handler:                           # copy 4 words (a stub) from a1 to a0
        li      $t0, 4
4:      lw      $t1, 0($a1)
        sw      $t1, 0($a0)
        addiu   $a0, $a0, 4
        addiu   $a1, $a1, 4
        addiu   $t0, $t0, -1
        bnez    $t0, 4b
        nop
        jr      $ra
        nop

# Exception vectors jump to these. They record Cause, BadVAddr, EntryHi, Context and which vector;
# while logging is on they also append (vector, ExcCode, BadVAddr) to the log. A SYSCALL returns to
# kernel mode at after_user; anything else skips the faulting instruction.
refill_stub:
        lui     $k0, %hi(refill_entry)
        addiu   $k0, $k0, %lo(refill_entry)
        jr      $k0
        nop
general_stub:
        lui     $k0, %hi(general_entry)
        addiu   $k0, $k0, %lo(general_entry)
        jr      $k0
        nop

refill_entry:
        b       common_handler
        li      $k1, 1
general_entry:
        li      $k1, 2
common_handler:
        lui     $k0, %hi(record)
        addiu   $k0, $k0, %lo(record)
        sw      $k1, 16($k0)
        mfc0    $k1, $13
        sw      $k1, 0($k0)
        mfc0    $k1, $8
        sw      $k1, 4($k0)
        mfc0    $k1, $10
        sw      $k1, 8($k0)
        mfc0    $k1, $4
        sw      $k1, 12($k0)
        lw      $k1, 24($k0)            # logging?
        beqz    $k1, 5f
        nop
        lw      $k1, 20($k0)            # log count
        sll     $k1, $k1, 2
        addu    $k1, $k1, $k0           # k1 = record + 4*count; entries start at record + 32
        sw      $zero, 28($k0)          # scratch
        lw      $k0, 16($k0)            # vector flag (k0 clobbered: reload below)
        sw      $k0, 32($k1)
        lui     $k0, %hi(record)
        addiu   $k0, $k0, %lo(record)
        lw      $k0, 0($k0)
        srl     $k0, $k0, 2
        andi    $k0, $k0, 0x1f
        sw      $k0, 36($k1)
        lui     $k0, %hi(record)
        addiu   $k0, $k0, %lo(record)
        lw      $k0, 4($k0)
        sw      $k0, 40($k1)
        lui     $k0, %hi(record)
        addiu   $k0, $k0, %lo(record)
        lw      $k1, 20($k0)
        addiu   $k1, $k1, 3
        sw      $k1, 20($k0)
5:      lw      $k1, 0($k0)             # SYSCALL (ExcCode 8)?
        srl     $k1, $k1, 2
        andi    $k1, $k1, 0x1f
        addiu   $k1, $k1, -8
        bnez    $k1, 6f
        nop
        mfc0    $k1, $12                # back to kernel mode: clear KSU, resume at after_user
        ori     $k1, $k1, 0x18
        xori    $k1, $k1, 0x18
        mtc0    $k1, $12
        lui     $k1, %hi(after_user)
        addiu   $k1, $k1, %lo(after_user)
        mtc0    $k1, $14
        ehb
        eret
        nop
6:      mfc0    $k1, $14
        addiu   $k1, $k1, 4
        mtc0    $k1, $14
        ehb
        eret
        nop

# User-mode code, page aligned so one TLB entry maps it at 0x00600000.
        .align  12
user_code:
        li      $t8, 0x00400010
        lw      $v0, 0($t8)
        nop
        li      $t8, 0x80000010
        lw      $v0, 0($t8)
        nop
        li      $t8, 0xc0000010
        sw      $t8, 0($t8)
        nop
        li      $t8, 0xa0000000
        lw      $v0, 0($t8)
        nop
        li      $t8, 0x00420010
        lw      $v0, 0($t8)
        nop
        syscall
        nop
        .align  12

        .data
        .align 4
# cause, badvaddr, entryhi, context, vector, log count (words), logging, scratch, then the log
record: .word 0, 0, 0, 0, 0, 0, 0, 0
        .space  256
