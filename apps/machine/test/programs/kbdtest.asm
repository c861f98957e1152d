; kbdtest: a boot sector for the keyboard and video paths of a BIOS. It reads keys with
; int 16h AH=00h until Enter and reports each AX (scancode:ASCII) on port 0xE9, then fills the
; screen past its last row with teletype output so the BIOS must scroll, reads characters
; back with int 10h AH=08h before and after an AH=06h window scroll and reports them, and exits
; through port 0xF4 with 0x11 (process status 0x23). Build: nasm -f bin -o kbdtest.bin kbdtest.asm
bits 16
org 0x7C00

start:
            xor ax, ax
            mov ds, ax
            mov ss, ax
            mov sp, 0x7C00
            sti
.key:       xor ah, ah
            int 0x16
            push ax
            call report
            pop ax
            cmp al, 13
            jne .key

            ; 30 numbered lines "L00".."L29": the screen scrolls, row 0 then holds "L06"
            xor cx, cx
.line:      mov al, 'L'
            call tty
            mov al, cl
            aam                     ; ah = tens, al = units
            add ax, 0x3030
            push ax
            mov al, ah
            call tty
            pop ax
            call tty
            mov al, 13
            call tty
            mov al, 10
            call tty
            inc cx
            cmp cx, 30
            jb .line
            mov dx, 0x0002          ; row 0, column 2: the units digit of the top line
            call read_at
            ; scroll rows 0-1 up by one line, blank line attribute 1Fh
            mov ax, 0x0601
            mov bh, 0x1F
            xor cx, cx
            mov dx, 0x014F
            int 0x10
            mov dx, 0x0002
            call read_at
            mov dx, 0x0100          ; row 1, column 0: the new blank line
            call read_at
            mov al, 0x11
            out 0xF4, al
            hlt

; move the cursor to DH,DL, read the character and attribute there and report them
read_at:
            mov ah, 0x02
            xor bh, bh
            int 0x10
            mov ah, 0x08
            xor bh, bh
            int 0x10
            jmp report

tty:        mov ah, 0x0E
            xor bx, bx
            int 0x10
            ret

report      equ print_hex16
%include "hex16.inc"

            times 510 - ($ - $$) db 0
            dw 0xAA55
