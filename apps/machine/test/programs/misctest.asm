; misctest: a boot sector for the remaining BIOS services: int 15h C0h (configuration table),
; int 15h 86h (wait) measured with int 1Ah AH=00h ticks, int 1Ah AH=02h/04h (RTC time and
; date), int 10h AH=0Fh/1Ah/12h (video mode, display combination, EGA info), int 13h AH=15h
; (drive type) and AH=03h (it writes itself to sector 3), int 17h (printer) and the A20 gate
; (int 15h AX=2400h/2401h: memory wraps at 1 MiB only while the gate is off), and 40-column
; text mode 1 (teletype wraps at column 40). Reports "name=hex" lines on port 0xE9 and exits through
; port 0xF4 with 0x13 (status 0x27). Build: nasm -f bin -o misctest.bin misctest.asm
bits 16
cpu 386
org 0x7C00

start:
            xor ax, ax
            mov ds, ax
            mov ss, ax
            mov sp, 0x7C00
            mov [drive], dl
            sti

            mov ah, 0xC0
            int 0x15
            mov ax, [es:bx+2]       ; model, submodel
            mov si, s_model
            call report

            xor ah, ah
            int 0x1A
            mov [ticks], dx
            mov ah, 0x86            ; wait 0x3 0000h us = 196 ms
            mov cx, 0x0003
            xor dx, dx
            int 0x15
            xor ah, ah
            int 0x1A
            sub dx, [ticks]
            mov ax, dx
            mov si, s_waited
            call report

            mov ah, 0x02
            int 0x1A
            mov ax, cx
            mov si, s_time
            call report
            mov ah, 0x04
            int 0x1A
            push dx
            mov ax, cx
            mov si, s_year
            call report
            pop ax
            mov si, s_date
            call report

            mov ah, 0x0F
            int 0x10
            mov si, s_mode
            call report
            mov ax, 0x1A00
            int 0x10
            push bx
            mov si, s_dcc
            call report
            pop ax
            mov si, s_dccbx
            call report
            mov ah, 0x12
            mov bl, 0x10
            int 0x10
            mov ax, bx
            mov si, s_ega
            call report

            mov ah, 0x15
            mov dl, [drive]
            int 0x13
            mov al, ah
            xor ah, ah
            mov si, s_dtype
            call report

            ; write this boot sector to CHS 0/0/3 (LBA 2)
            push ds
            pop es
            mov ax, 0x0301
            mov bx, 0x7C00
            mov cx, 0x0003
            xor dh, dh
            mov dl, [drive]
            int 0x13
            mov si, s_wrstat
            call report

            mov ah, 0x02
            xor dx, dx
            int 0x17
            mov al, ah
            xor ah, ah
            mov si, s_lpt
            call report

            ; A20: with the gate off FFFF:0010 is 0000:0000 again, with it on it is 1 MiB
            mov ax, 0xFFFF
            mov es, ax
            mov ax, 0x2400
            int 0x15
            mov byte [es:0x10], 0xA5
            mov al, [0x0000]        ; wrapped: reads 0xA5 back from the first byte of the IVT
            mov [a20off], al
            mov ax, 0x2401
            int 0x15
            mov byte [es:0x10], 0x5A
            mov al, [0x0000]
            mov ah, [a20off]
            mov si, s_a20wrap
            call report

            ; 40-column mode 1: 45 characters wrap to row 1, column 5
            mov ax, 0x0001
            int 0x10
            mov cx, 45
.wide:      push cx
            mov ax, 0x0E23
            xor bx, bx
            int 0x10
            pop cx
            loop .wide
            mov ah, 0x03
            xor bh, bh
            int 0x10
            mov ax, dx
            mov si, s_cur40
            call report

            mov al, 0x13
            out 0xF4, al
            hlt

; "name=" (SI), AX as four hex digits, newline, on port 0xE9
report:
            push ax
.name:      lodsb
            or al, al
            jz .val
            out 0xE9, al
            jmp .name
.val:       mov al, '='
            out 0xE9, al
            pop ax
            jmp print_hex16

%include "hex16.inc"

drive:      db 0
ticks:      dw 0
a20off:     db 0
s_a20wrap:  db 'a20wrap', 0
s_cur40:    db 'cur40', 0
s_model:    db 'model', 0
s_waited:   db 'waited', 0
s_time:     db 'time', 0
s_year:     db 'year', 0
s_date:     db 'date', 0
s_mode:     db 'mode', 0
s_dcc:      db 'dcc', 0
s_dccbx:    db 'dccbx', 0
s_ega:      db 'ega', 0
s_dtype:    db 'dtype', 0
s_lpt:      db 'lpt', 0
s_wrstat:   db 'wrstat', 0

            times 510 - ($ - $$) db 0
            dw 0xAA55
