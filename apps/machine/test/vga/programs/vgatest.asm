; VGA test programs: one source, one picture per TEST (nasm -DTEST=name). Our own code for Phantasm.
; A floppy boot sector that loads the rest of the program (sectors 2-17) to 0000:7E00, sets a video
; mode through int 10h the way DOS programs do, draws a fixed picture, and stops with CLI; HLT. The
; tests render the frame and compare it with a committed PNG; QEMU's screendump is the oracle.
bits 16
cpu 386
org 0x7c00

%define T_TEXT80     1
%define T_TEXT80X50  2
%define T_TEXT40     3
%define T_MODE13     4
%define T_MODE12     5
%define T_MODE0D     6
%define T_VBE640     7
%define T_VBE1024    8
%define T_GFXTEXT    9
%define T_MODE0E    10
%define T_MODE10    11
%define T_MODE11    12
%define T_CGA04     13
%define T_CGA05     14
%define T_CGA06     15
%define T_MONO07    16

start:
            cli
            xor ax, ax
            mov ds, ax
            mov es, ax
            mov ss, ax
            mov sp, 0x7c00
            sti
            ; load sectors 2-17 (head 0, track 0) behind the boot sector; DL = boot drive
            mov ax, 0x0210
            mov cx, 0x0002
            xor dh, dh
            mov bx, 0x7e00
            int 0x13
            jc fail
            jmp main

fail:       mov si, msg_fail
.p:         lodsb
            or al, al
            jz stop
            mov ah, 0x0e
            int 0x10
            jmp .p
stop:       cli
            hlt
            jmp stop

msg_fail:   db 'load failed', 0
            times 510 - ($ - $$) db 0
            dw 0xaa55

; ---------------------------------------------------------------------------------------------
main:
%if TEST == T_TEXT80 || TEST == T_TEXT80X50 || TEST == T_TEXT40
  %if TEST == T_TEXT40
            mov ax, 0x0001
            mov cx, 1000
  %else
            mov ax, 0x0003
            mov cx, 2000
  %endif
            int 0x10
  %if TEST == T_TEXT80X50
            mov ax, 0x1112          ; 8x8 font: 50 rows
            xor bl, bl
            int 0x10
            mov cx, 4000
  %endif
            mov ah, 0x01            ; hide the cursor (QEMU blinks it)
            mov cx, 0x2000
            int 0x10
            ; every character with a spread of attributes (no blink bit)
            push 0xb800
            pop es
            xor di, di
  %if TEST == T_TEXT40
            mov cx, 1000
  %elif TEST == T_TEXT80X50
            mov cx, 4000
  %else
            mov cx, 2000
  %endif
            xor bx, bx
.cell:      mov al, bl
            mov ah, bl
            shr ah, 3
            xor ah, bh
            and ah, 0x7f
            jnz .attr
            mov ah, 0x07
.attr:      stosw
            inc bx
            cmp bl, 0
            jne .next
            inc bh
.next:      loop .cell
            jmp hello               ; and a line of text through the BIOS teletype on the top row
%elif TEST == T_MODE13
            mov ax, 0x0013
            int 0x10
            push 0xa000
            pop es
            xor di, di
            xor dx, dx              ; y
.row:       xor cx, cx              ; x
.px:        mov ax, cx
            add ax, dx
            stosb
            inc cx
            cmp cx, 320
            jb .px
            inc dx
            cmp dx, 200
            jb .row
            ; DAC entry 250 made orange through the ports, used for a box at (100,50)-(219,149)
            mov dx, 0x3c8
            mov al, 250
            out dx, al
            inc dx
            mov al, 63
            out dx, al
            mov al, 32
            out dx, al
            xor al, al
            out dx, al
            mov di, 50 * 320 + 100
            mov bx, 100
.box:       mov cx, 120
            mov al, 250
            rep stosb
            add di, 320 - 120
            dec bx
            jnz .box
            jmp stop
%elif TEST == T_MODE12 || TEST == T_MODE0D || TEST == T_MODE0E || TEST == T_MODE10 || TEST == T_MODE11
  %if TEST == T_MODE12
    %define BYTES 80
    %define LINES 480
            mov ax, 0x0012
  %elif TEST == T_MODE11
    %define BYTES 80
    %define LINES 480
            mov ax, 0x0011
  %elif TEST == T_MODE10
    %define BYTES 80
    %define LINES 350
            mov ax, 0x0010
  %elif TEST == T_MODE0E
    %define BYTES 80
    %define LINES 200
            mov ax, 0x000e
  %else
    %define BYTES 40
    %define LINES 200
            mov ax, 0x000d
  %endif
            int 0x10
            push 0xa000
            pop es
            ; write mode 2: each byte's 8 pixels take colour ((x/4) + (y/32)) mod 16
            mov dx, 0x3ce
            mov ax, 0x0205
            out dx, ax
            mov ax, 0xff08          ; bit mask: all pixels
            out dx, ax
            xor di, di
            xor bx, bx              ; y
.row:       xor cx, cx              ; byte x
.b:         mov al, cl
            shr al, 2
            mov ah, bl
            shr ah, 5
            add al, ah
            and al, 15
            mov ah, [es:di]         ; load the latches
            stosb
            inc cx
            cmp cx, BYTES
            jb .b
            inc bx
            cmp bx, LINES
            jb .row
            ; write mode 0 with set/reset = colour 15 on every other pixel (bit mask 0xAA) of a box,
            ; then XOR (function 3) a second box over it with colour 9
            mov ax, 0x0005
            out dx, ax
            mov ax, 0x0f00          ; set/reset value 15
            out dx, ax
            mov ax, 0x0f01          ; enable set/reset on all planes
            out dx, ax
            mov ax, 0xaa08
            out dx, ax
            mov di, 40 * BYTES + 4
            mov bx, 60
.box1:      mov cx, 12
.b1:        mov al, [es:di]
            stosb
            loop .b1
            add di, BYTES - 12
            dec bx
            jnz .box1
            mov ax, 0x0900
            out dx, ax
            mov ax, 0x1803          ; function XOR
            out dx, ax
            mov ax, 0xff08
            out dx, ax
            mov di, 70 * BYTES + 10
            mov bx, 60
.box2:      mov cx, 12
.b2:        mov al, [es:di]
            stosb
            loop .b2
            add di, BYTES - 12
            dec bx
            jnz .box2
            mov ax, 0x0003
            out dx, ax
            mov ax, 0x0001
            out dx, ax
            ; a line of text through the teletype (drawn in graphics modes by the BIOS, if it can)
            jmp stop
%elif TEST == T_CGA04 || TEST == T_CGA05 || TEST == T_CGA06
  %if TEST == T_CGA04
            mov ax, 0x0004
  %elif TEST == T_CGA05
            mov ax, 0x0005
  %else
            mov ax, 0x0006
  %endif
            int 0x10
            ; CGA layout: 80 bytes a line, even lines at B800:0000, odd lines at B800:2000. Each byte
            ; (4 pixels of 2 bits in 04h/05h, 8 of 1 bit in 06h) is (x + 3y) mod 256: every pattern
            push 0xb800
            pop es
            xor bx, bx              ; y
.row:       mov di, bx
            shr di, 1
            imul di, di, 80
            test bl, 1
            jz .even
            add di, 0x2000
.even:      mov al, bl
            imul ax, ax, 3
            mov cx, 80
.b:         stosb
            inc al
            loop .b
            inc bx
            cmp bx, 200
            jb .row
            ; a solid box of colour 3 (all bits set) at bytes 10-19, lines 60-99
            mov bx, 60
.box:       mov di, bx
            shr di, 1
            imul di, di, 80
            test bl, 1
            jz .beven
            add di, 0x2000
.beven:     add di, 10
            mov cx, 10
            mov al, 0xff
            rep stosb
            inc bx
            cmp bx, 100
            jb .box
  %if TEST != T_CGA05
            mov bl, 3               ; and a line of text in colour 3 (the BIOS draws it in graphics)
            jmp hello
  %else
            jmp stop
  %endif
%elif TEST == T_MONO07
            mov ax, 0x0007
            int 0x10
            mov ah, 0x01            ; hide the cursor
            mov cx, 0x2000
            int 0x10
            ; every character with the monochrome attributes: normal, bright, reverse, underline, none
            push 0xb000
            pop es
            xor di, di
            mov cx, 2000
            xor bx, bx
.cell:      mov al, bl
            mov si, bx
            shr si, 4
            and si, 7
            mov ah, [mono_attrs + si]
            stosw
            inc bx
            loop .cell
            jmp hello
mono_attrs: db 0x07, 0x0f, 0x70, 0x01, 0x00, 0x09, 0x78, 0x7f
%elif TEST == T_GFXTEXT
            ; text through the BIOS in mode 12h: 32 teletype lines in 15 colours (the screen holds 30, so
            ; it scrolls twice), then AH=09h with XOR over the last line
            mov ax, 0x0012
            int 0x10
            mov bp, 32              ; lines
            mov bl, 1
.line:      mov si, msg_hello
.ch:        lodsb
            or al, al
            jz .eol
            mov ah, 0x0e
            xor bh, bh
            int 0x10
            jmp .ch
.eol:       mov al, bl              ; the line number's colour as a digit
            add al, '0'
            mov ah, 0x0e
            int 0x10
            mov al, 13
            int 0x10
            mov al, 10
            int 0x10
            inc bl
            and bl, 15
            jnz .next
            inc bl
.next:      dec bp
            jnz .line
            mov ah, 0x02            ; cursor to column 4 of row 28
            xor bh, bh
            mov dx, 0x1c04
            int 0x10
            mov ax, 0x09db          ; full block, 10 times, colour 0Eh XOR
            mov bx, 0x008e
            mov cx, 10
            int 0x10
            jmp stop
%elif TEST == T_VBE640 || TEST == T_VBE1024
  %if TEST == T_VBE640
    %define WANT_X 640
    %define WANT_Y 480
  %else
    %define WANT_X 1024
    %define WANT_Y 768
  %endif
            ; find WANT_X x WANT_Y x 32 with a linear framebuffer in the VBE mode list
            mov ax, 0x4f00
            mov di, vbe_info
            mov dword [di], 'VBE2'
            int 0x10
            cmp ax, 0x004f
            jne fail
            lfs si, [vbe_info + 0x0e]
.mode:      mov cx, [fs:si]
            cmp cx, 0xffff
            je fail
            add si, 2
            mov ax, 0x4f01
            mov di, mode_info
            int 0x10
            cmp ax, 0x004f
            jne .mode
            cmp word [mode_info + 0x12], WANT_X
            jne .mode
            cmp word [mode_info + 0x14], WANT_Y
            jne .mode
            cmp byte [mode_info + 0x19], 32
            jne .mode
            test byte [mode_info], 0x80
            jz .mode
            mov bx, cx
            or bx, 0x4000           ; linear framebuffer
            mov ax, 0x4f02
            int 0x10
            cmp ax, 0x004f
            jne fail
            ; flat 32-bit protected mode to draw through the LFB
            cli
            lgdt [gdt_ptr]
            mov eax, cr0
            or al, 1
            mov cr0, eax
            jmp 0x08:pm32
bits 32
pm32:       mov ax, 0x10
            mov ds, ax
            mov es, ax
            mov ss, ax
            mov edi, [mode_info + 0x28]
            movzx ebp, word [mode_info + 0x10]  ; bytes per scan line
            xor edx, edx                    ; y
.row:       push edi
            xor ecx, ecx                    ; x
.px:        ; blue = x, green = y, red = (x + y) / 4, each mod 256
            mov eax, ecx
            add eax, edx
            shr eax, 2
            movzx eax, al
            shl eax, 16
            mov ah, dl
            mov al, cl
            stosd
            inc ecx
            cmp ecx, WANT_X
            jb .px
            pop edi
            add edi, ebp
            inc edx
            cmp edx, WANT_Y
            jb .row
            ; a white frame 8 pixels inside the edges
            mov edi, [mode_info + 0x28]
            imul eax, ebp, 8
            add edi, eax
            add edi, 8 * 4
            mov ecx, WANT_X - 16
            mov eax, 0x00ffffff
            rep stosd
.halt:      cli
            hlt
            jmp .halt
bits 16
align 8
gdt:        dq 0
            dq 0x00cf9a000000ffff           ; 08: code, flat 4 GiB
            dq 0x00cf92000000ffff           ; 10: data, flat 4 GiB
gdt_ptr:    dw 23
            dd gdt
%endif

; the hello line through the BIOS teletype from the top left (colour BL in graphics modes), then stop
hello:      mov ah, 0x02
            xor bh, bh
            xor dx, dx
            int 0x10
            mov si, msg_hello
.t:         lodsb
            or al, al
            jz stop
            mov ah, 0x0e
            xor bh, bh
            int 0x10
            jmp .t

msg_hello:  db 'Phantasm VGA test: ', 0x01, 0x02, 0xb0, 0xb1, 0xb2, 0xc4, 0xcd, 0xdb, 0
align 16
vbe_info:   times 512 db 0
mode_info:  times 256 db 0
            times 17 * 512 - ($ - $$) db 0
