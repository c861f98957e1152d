; A PS/2 mouse test guest (our own code): a floppy boot sector that switches the 8042's aux port on,
; enables streaming on the mouse, then polls the controller (interrupts stay off), sums the movement
; of each 3-byte packet and shows the totals, buttons and packet count on text row 12:
;   "mouse X=+00030 Y=-00020 B=1 N=00004"   (Y grows upwards, as PS/2 reports it)
; The browser test moves and clicks over the canvas and reads that line. Build: build.sh (nasm).
bits 16
cpu 386
org 0x7c00

ROW         equ 12 * 160

start:      cli
            xor ax, ax
            mov ds, ax
            mov ss, ax
            mov sp, 0x7c00
            push 0xb800
            pop es
            mov al, 0xa8            ; enable the aux port
            call command
            mov al, 0x20            ; read the command byte
            call command
            call read_any
            and al, 0xdc            ; no IRQ1/IRQ12 (we poll), aux clock on
            mov ah, al
            mov al, 0x60            ; write the command byte
            call command
            mov al, ah
            call data
            mov al, 0xd4            ; next data byte goes to the mouse: F4h, enable streaming
            call command
            mov al, 0xf4
            call data
            call read_aux           ; FAh: acknowledged
            mov byte [ready], 'y'
show:       mov di, ROW
            mov si, label_mouse
            call puts
            mov ax, [x]
            call putnum
            mov si, label_y
            call puts
            mov ax, [y]
            call putnum
            mov si, label_b
            call puts
            mov al, [buttons]
            add al, '0'
            call putc
            mov si, label_n
            call puts
            mov ax, [count]
            call putnum
            mov si, label_ready
            call puts
            mov al, [ready]
            call putc
            ; one packet: byte 0 (buttons, sign bits, bit 3 always set), dx, dy
.sync:      call read_aux
            test al, 0x08
            jz .sync                ; not a first byte: resynchronise
            mov bl, al
            call read_aux
            mov cl, al
            call read_aux
            mov dl, al
            mov al, bl
            and al, 7
            mov [buttons], al
            movzx ax, cl
            test bl, 0x10
            jz .xp
            sub ax, 256
.xp:        add [x], ax
            movzx ax, dl
            test bl, 0x20
            jz .yp
            sub ax, 256
.yp:        add [y], ax
            inc word [count]
            jmp show

; AL to the controller's command port, once its input buffer is empty
command:    call wait_in
            out 0x64, al
            ret
data:       call wait_in
            out 0x60, al
            ret
wait_in:    push ax
.w:         in al, 0x64
            test al, 2
            jnz .w
            pop ax
            ret
; next output byte (any device)
read_any:   in al, 0x64
            test al, 1
            jz read_any
            in al, 0x60
            ret
; next byte from the mouse (status bit 5); keyboard bytes are dropped
read_aux:   in al, 0x64
            test al, 1
            jz read_aux
            test al, 0x20
            in al, 0x60
            jz read_aux
            ret

; text at ES:DI, grey on black
puts:       lodsb
            or al, al
            jz .e
            call putc
            jmp puts
.e:         ret
putc:       mov ah, 0x07
            stosw
            ret
; AX as a sign and five digits
putnum:     push ax
            mov al, '+'
            test ah, 0x80
            jz .s
            mov al, '-'
.s:         call putc
            pop ax
            test ah, 0x80
            jz .pos
            neg ax
.pos:       mov bx, 10
            mov cx, 5
            add di, 8               ; digits right to left
.d:         xor dx, dx
            div bx
            push ax
            mov al, dl
            add al, '0'
            mov ah, 0x07
            mov [es:di], ax
            sub di, 2
            pop ax
            loop .d
            add di, 12
            ret

label_mouse: db 'mouse X=', 0
label_y:    db ' Y=', 0
label_b:    db ' B=', 0
label_n:    db ' N=', 0
label_ready: db ' ready=', 0
ready:      db 'n'
buttons:    db 0
x:          dw 0
y:          dw 0
count:      dw 0
            times 510 - ($ - $$) db 0
            dw 0xaa55
