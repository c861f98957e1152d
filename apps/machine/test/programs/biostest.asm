; biostest: a boot sector that calls the BIOS services a DOS or a loader relies on and reports
; the answers on the debug console (port 0xE9) as "name=hex" lines (E820: eb, el, et), then exits through
; isa-debug-exit with 0x10 (process status 0x21). The board test compares the answers with the
; board's configuration. Build: nasm -f bin -o biostest.bin biostest.asm
bits 16
cpu 386
org 0x7C00

start:
            xor ax, ax
            mov ds, ax
            mov es, ax
            mov ss, ax
            mov sp, 0x7C00
            mov [drive], dl
            sti

            int 0x12
            mov si, s_mem
            call report_ax

            int 0x11
            mov si, s_equip
            call report_ax

            mov ah, 0x88
            int 0x15
            mov si, s_ext
            call report_ax

            mov ax, 0xE801
            int 0x15
            push bx
            mov si, s_e801a
            call report_ax
            pop ax
            mov si, s_e801b
            call report_ax

            ; E820: one line per entry: base low, length low, type
            xor ebx, ebx
.e820:      mov eax, 0xE820
            mov edx, 0x534D4150
            mov ecx, 20
            mov di, 0x0600
            int 0x15
            jc .e820done
            push ebx
            mov eax, [0x0600]
            mov si, s_base
            call report_eax
            mov eax, [0x0608]
            mov si, s_len
            call report_eax
            mov eax, [0x0610]
            mov si, s_type
            call report_eax
            pop ebx
            or ebx, ebx
            jnz .e820
.e820done:
            ; floppy parameters
            mov ah, 0x08
            mov dl, [drive]
            int 0x13
            push dx
            push cx
            mov al, bl
            xor ah, ah
            mov si, s_ftype
            call report_ax
            pop ax
            mov si, s_fcx
            call report_ax
            pop ax
            mov si, s_fdx
            call report_ax

            ; read CHS 0/0/2 (second sector) to 0000:8000 and report its first word
            xor ax, ax
            mov es, ax              ; AH=08h returned ES:DI = diskette parameter table
            mov ax, 0x0201
            mov bx, 0x8000
            mov cx, 0x0002
            xor dh, dh
            mov dl, [drive]
            int 0x13
            mov si, s_rdstat
            call report_ax
            mov ax, [0x8000]
            mov si, s_rdword
            call report_ax

            ; hard disks: int 13h extensions, read LBA 1 through a disk address packet
            test byte [drive], 0x80
            jz .noext
            mov ah, 0x41
            mov bx, 0x55AA
            mov dl, [drive]
            int 0x13
            mov ax, bx
            mov si, s_extcheck
            call report_ax
            mov ah, 0x42
            mov dl, [drive]
            mov si, dap
            int 0x13
            mov al, ah
            xor ah, ah
            mov si, s_extstat
            call report_ax
            mov ax, [0x8200]
            mov si, s_extword
            call report_ax
.noext:
            ; teletype two characters, then ask for the cursor
            mov ax, 0x0E48
            xor bx, bx
            int 0x10
            mov ax, 0x0E69
            int 0x10
            mov ah, 0x03
            xor bh, bh
            int 0x10
            mov ax, dx
            mov si, s_cursor
            call report_ax

            ; A20 status
            mov ax, 0x2402
            int 0x15
            xor ah, ah
            mov si, s_a20
            call report_ax

            ; keyboard: nothing typed yet, so ZF must be set
            mov ah, 0x01
            int 0x16
            mov ax, 0
            jnz .key
            mov al, 1
.key:       mov si, s_nokey
            call report_ax

            mov al, 0x10
            out 0xF4, al
            hlt

; print "name=" (SI) and AX / EAX in hex, then a newline, on port 0xE9
report_ax:
            push eax
            call puts
            pop eax
            mov cx, 4
            shl eax, 16
            jmp hex
report_eax:
            push eax
            call puts
            pop eax
            mov cx, 8
hex:        rol eax, 4
            push eax
            and al, 0x0F
            add al, '0'
            cmp al, '9'
            jbe .d
            add al, 7
.d:         out 0xE9, al
            pop eax
            loop hex
            mov al, 10
            out 0xE9, al
            ret

puts:       lodsb
            or al, al
            jz .done
            out 0xE9, al
            jmp puts
.done:      mov al, '='
            out 0xE9, al
            ret

drive:      db 0
dap:        db 16, 0
            dw 1                    ; sectors
            dw 0x8200, 0x0000       ; buffer
            dq 1                    ; LBA
s_extcheck: db 'extcheck', 0
s_extstat:  db 'extstat', 0
s_extword:  db 'extword', 0
s_mem:      db 'mem', 0
s_equip:    db 'equip', 0
s_ext:      db 'ext', 0
s_e801a:    db 'e801ax', 0
s_e801b:    db 'e801bx', 0
s_base:     db 'eb', 0
s_len:      db 'el', 0
s_type:     db 'et', 0
s_ftype:    db 'ftype', 0
s_fcx:      db 'fcx', 0
s_fdx:      db 'fdx', 0
s_rdstat:   db 'rdstat', 0
s_rdword:   db 'rdword', 0
s_cursor:   db 'cursor', 0
s_a20:      db 'a20', 0
s_nokey:    db 'nokey', 0

            times 510 - ($ - $$) db 0
            dw 0xAA55
