; v86 reference, real mode: boot sector that copies the payload (sector bytes 0x100..0x1fd:
; start marker, one bench/programs/*16.bin workload without its HLT, end marker and repeat
; loop, built by v86-reference.ts) to 1000:0 (where cpu.bench.ts loads it) and jumps there.
        bits 16
        org 0x7c00
%include "boot-prologue.inc"
        mov ax, 0x1000
        mov es, ax
        mov si, 0x7d00
        xor di, di
        mov cx, 254
        cld
        rep movsb
        push word 3             ; repetitions, popped and counted down by the payload
        jmp 0x1000:0
        times 0x100 - ($ - $$) db 0
