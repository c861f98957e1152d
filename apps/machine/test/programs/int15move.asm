; int 15h AH=87h (block move) test: a boot sector that copies 256 bytes from 0000:8000 to 1 MiB +
; 64 KiB and back to 0000:9000 through the BIOS, records AH and CF of both calls at 0000:7000, and
; halts. Our own code for Phantasm (built by scripts/build-bios.sh).
bits 16
cpu 386
org 0x7c00

start:      xor ax, ax
            mov ds, ax
            mov es, ax
            mov ss, ax
            mov sp, 0x7c00
            ; the pattern: byte i = i * 7 + 3
            mov di, 0x8000
            xor cx, cx
.fill:      mov al, cl
            imul ax, ax, 7
            add al, 3
            stosb
            inc cl
            jnz .fill
            mov si, gdt_up
            mov cx, 128
            mov ah, 0x87
            int 0x15
            mov [0x7000], ah
            setc [0x7001]
            mov si, gdt_down
            mov cx, 128
            mov ah, 0x87
            int 0x15
            mov [0x7002], ah
            setc [0x7003]
            cli
.halt:      hlt
            jmp .halt

; descriptor: limit 0xFFFF, base (24 bits + bits 24-31), access 93h (data, writable)
%macro DESC 1
            dw 0xffff
            dw (%1) & 0xffff
            db ((%1) >> 16) & 0xff
            db 0x93
            db 0
            db (%1) >> 24
%endmacro
gdt_up:     times 16 db 0
            DESC 0x8000
            DESC 0x110000
            times 16 db 0
gdt_down:   times 16 db 0
            DESC 0x110000
            DESC 0x9000
            times 16 db 0
            times 510 - ($ - $$) db 0
            dw 0xaa55
