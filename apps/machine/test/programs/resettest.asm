; resettest: a boot sector that resets the machine through the keyboard controller (pulse
; command 0xFE) the first time it runs, leaving a mark in CMOS byte 0x40; after the BIOS has
; run its POST again and rebooted it, it sees the mark, then resets once more through port
; 0x92 bit 0 and finally exits through port 0xF4 with 0x12 (status 0x25).
; Build: nasm -f bin -o resettest.bin resettest.asm
bits 16
org 0x7C00

start:
            mov al, 0x40
            out 0x70, al
            in al, 0x71
            inc al
            mov ah, al
            mov al, 0x40
            out 0x70, al
            mov al, ah
            out 0x71, al            ; boots so far, counted in CMOS 0x40
            mov al, ah
            out 0xE9, al            ; report the count: 1, 2, 3
            cmp ah, 1
            je .kbc
            cmp ah, 2
            je .port92
            mov al, 0x12
            out 0xF4, al
            hlt
.kbc:       mov al, 0xFE
            out 0x64, al
            jmp $
.port92:    in al, 0x92
            or al, 1
            out 0x92, al
            jmp $

            times 510 - ($ - $$) db 0
            dw 0xAA55
