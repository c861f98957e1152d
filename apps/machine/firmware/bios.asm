; Phantasm built-in BIOS: 64 KiB of 16-bit real-mode code for F000:0000-F000:FFFF.
; Build: apps/machine/scripts/build-bios.sh (nasm -f bin). Our own code, written for Phantasm.
;
; Disk I/O uses the Phantasm paravirtual firmware ports (see src/devices/pv-firmware.ts), so
; int 13h never programs the FDC or ATA registers; those controllers exist for other software.
;   0x580 drive (00h/01h floppy, 80h.. disk)   0x582/0x584 LBA low/high word
;   0x586 sector count   0x588/0x58A buffer offset/segment
;   0x58C write: command (1 read, 2 write); read: status (0 ok, 1 no drive, 2 out of range)
;   0x58E write: info index for the selected drive; read: its value
;         (0 present, 1 cylinders, 2 heads, 3 sectors/track, 4/5 total sectors low/high, 6 type)
;   0x590 write: 1 = the BIOS is about to wait for a key (int 16h found no key)
;   0x592 read: number of floppy drives (low byte) and hard disks (high byte)
;
; Video (int 10h mode sets, palette, fonts, VBE) and the int 15h block move are done by the board
; (src/boards/pc/firmware-services.ts): the handler writes SS:BP of its register frame, one 32-bit
; OUT, to 0x594 (int 10h) or 0x598 (int 15h), and reads the port back: 1 = done (the results are in
; the frame), 0 = left to the code here.

bits 16
cpu 386
org 0

PV_DRIVE    equ 0x580
PV_LBA_LO   equ 0x582
PV_LBA_HI   equ 0x584
PV_COUNT    equ 0x586
PV_BUF_OFF  equ 0x588
PV_BUF_SEG  equ 0x58A
PV_CMD      equ 0x58C
PV_INFO     equ 0x58E
PV_WAIT     equ 0x590
PV_DRIVES   equ 0x592
DEBUGCON    equ 0x402
FW_INT10    equ 0x594
FW_INT15    equ 0x598

; BIOS data area offsets (segment 0x40)
BDA_COM1        equ 0x00
BDA_EQUIP       equ 0x10
BDA_MEMKB       equ 0x13
BDA_KBFLAGS     equ 0x17
BDA_KBFLAGS2    equ 0x18
BDA_KBHEAD      equ 0x1A
BDA_KBTAIL      equ 0x1C
BDA_KBBUF       equ 0x1E
BDA_KBBUF_END   equ 0x3E
BDA_FDRECAL     equ 0x3E
BDA_FDSTATUS    equ 0x41
BDA_VMODE       equ 0x49
BDA_VCOLS       equ 0x4A
BDA_VPAGESIZE   equ 0x4C
BDA_VPAGEOFF    equ 0x4E
BDA_CURPOS      equ 0x50
BDA_CURSHAPE    equ 0x60
BDA_VPAGE       equ 0x62
BDA_CRTCPORT    equ 0x63
BDA_VMODECTL    equ 0x65
BDA_VPALETTE    equ 0x66
BDA_TICKS       equ 0x6C
BDA_MIDNIGHT    equ 0x70
BDA_HDSTATUS    equ 0x74
BDA_NHD         equ 0x75
BDA_KBSTART     equ 0x80
BDA_KBEND       equ 0x82
BDA_VROWS       equ 0x84
BDA_VCHARH      equ 0x85
BDA_KBMODE      equ 0x96

TICKS_PER_DAY   equ 0x1800B0

; ---------------------------------------------------------------------------------------
; Fixed tables near the start of the segment
; ---------------------------------------------------------------------------------------
banner:     db 'Phantasm BIOS', 13, 10, 0
msg_mem:    db 'Memory: ', 0
msg_kb:     db ' KiB', 13, 10, 0
msg_bootfd: db 'Booting from floppy...', 13, 10, 0
msg_boothd: db 'Booting from hard disk...', 13, 10, 0
msg_noboot: db 'No bootable disk.', 13, 10, 0

; Diskette parameter table (int 1Eh), for up to 18 sectors per track.
dpt:        db 0xDF, 0x02, 0x25, 0x02, 18, 0x1B, 0xFF, 0x6C, 0xF6, 0x0F, 0x08

; int 15h C0h system configuration table
config_table:
            dw 8
            db 0xFC, 0x00, 0x01     ; model AT, submodel, revision
            db 0x70                 ; 2nd PIC, RTC, int 15h/4Fh called by int 09h
            db 0x40, 0x00, 0x00, 0x00

; Set-1 scancode → ASCII, unshifted and shifted (0x00-0x39)
kb_normal:  db 0, 27, '1234567890-=', 8, 9, 'qwertyuiop[]', 13, 0, "asdfghjkl;'`", 0
            db '\zxcvbnm,./', 0, '*', 0, ' '
kb_shift:   db 0, 27, '!@#$%^&*()_+', 8, 0, 'QWERTYUIOP{}', 13, 0, 'ASDFGHJKL:"~', 0
            db '|ZXCVBNM<>?', 0, '*', 0, ' '
KB_TABLE_LEN equ 0x3A

; Vector table: (vector, handler) pairs installed by POST over the default stubs.
vectors:
            dw 0x08, int08
            dw 0x09, int09
            dw 0x0E, int0e
            dw 0x10, int10
            dw 0x11, int11
            dw 0x12, int12
            dw 0x13, int13
            dw 0x14, int14
            dw 0x15, int15
            dw 0x16, int16
            dw 0x17, int17
            dw 0x18, int18
            dw 0x19, int19
            dw 0x1A, int1a
            dw 0x74, int74
            dw 0x1E, dpt
            dw 0x1D, 0
            dw 0x1F, 0
            dw 0x41, 0
            dw 0x46, 0
            dw 0xFFFF

; ---------------------------------------------------------------------------------------
; POST
; ---------------------------------------------------------------------------------------
post:
            cli
            cld
            xor ax, ax
            mov ss, ax
            mov sp, 0x7C00
            mov ds, ax
            mov es, ax
            ; zero IVT and BDA (0000-04FF)
            xor di, di
            mov cx, 0x280
            rep stosw
            ; default vectors: software → iret stub, IRQ0-7 → master EOI, IRQ8-15 → both EOI
            xor di, di
            mov cx, 256
.ivt:       mov ax, iret_stub
            mov bx, 256
            sub bx, cx              ; bx = vector number
            cmp bx, 0x08
            jb .store
            cmp bx, 0x10
            jae .slave
            mov ax, irq_master_eoi
            jmp .store
.slave:     cmp bx, 0x70
            jb .store
            cmp bx, 0x78
            jae .store
            mov ax, irq_slave_eoi
.store:     stosw
            mov ax, 0xF000
            stosw
            loop .ivt
            ; specific vectors
            mov si, vectors
.vec:       mov bx, [cs:si]
            cmp bx, 0xFFFF
            je .vecdone
            mov ax, [cs:si+2]
            shl bx, 2
            mov [bx], ax
            mov word [bx+2], 0xF000
            add si, 4
            jmp .vec
.vecdone:
            ; BIOS data area
            mov ax, 0x40
            mov ds, ax
            mov word [BDA_COM1], 0x3F8
            mov word [BDA_MEMKB], 640
            mov word [BDA_KBHEAD], BDA_KBBUF
            mov word [BDA_KBTAIL], BDA_KBBUF
            mov word [BDA_KBSTART], BDA_KBBUF
            mov word [BDA_KBEND], BDA_KBBUF_END
            mov byte [BDA_KBMODE], 0x10
            mov dx, PV_DRIVES
            in ax, dx
            mov [BDA_NHD], ah
            ; equipment word: 80x25 colour, one serial port, floppies
            mov bx, 0x0220
            or al, al
            jz .nofd
            dec al
            shl al, 6
            or bl, al
            or bl, 1
.nofd:      mov [BDA_EQUIP], bx
            ; PICs: vectors 08h and 70h, cascade on IRQ2
            mov al, 0x11
            out 0x20, al
            out 0xA0, al
            mov al, 0x08
            out 0x21, al
            mov al, 0x70
            out 0xA1, al
            mov al, 0x04
            out 0x21, al
            mov al, 0x02
            out 0xA1, al
            mov al, 0x01
            out 0x21, al
            out 0xA1, al
            mov al, 0xB8            ; IRQ0, 1, 2, 6 enabled
            out 0x21, al
            mov al, 0xFF
            out 0xA1, al
            ; PIT channel 0: mode 3, count 65536 (18.2 Hz)
            mov al, 0x36
            out 0x43, al
            xor al, al
            out 0x40, al
            out 0x40, al
            ; keyboard controller: IRQ1 on, translation on
            mov al, 0x60
            out 0x64, al
            mov al, 0x45
            out 0x60, al
.kbflush:   in al, 0x64
            test al, 1
            jz .kbdone
            in al, 0x60
            jmp .kbflush
.kbdone:
            ; A20 stays on through the 8042 output port; the fast gate (port 92h) is left clear
            ; video mode 3
            mov ax, 0x0003
            int 0x10
            mov si, banner
            call print
            mov si, msg_mem
            call print
            call ram_kb_total
            call print_dec32
            mov si, msg_kb
            call print
            sti
            int 0x19
            ; int 19h only returns if it failed (it does not)
.halt:      hlt
            jmp .halt

; print the NUL-terminated string at CS:SI on screen and on the debug console
print:
            push ax
            push si
.loop:      mov al, [cs:si]
            or al, al
            jz .done
            call putc
            inc si
            jmp .loop
.done:      pop si
            pop ax
            ret

putc:       ; AL = character
            push ax
            push bx
            push dx
            mov dx, DEBUGCON
            out dx, al
            mov ah, 0x0E
            xor bx, bx
            int 0x10
            pop dx
            pop bx
            pop ax
            ret

; print EAX as decimal
print_dec32:
            push eax
            push ebx
            push ecx
            push edx
            mov ebx, 10
            xor cx, cx
.div:       xor edx, edx
            div ebx
            push dx
            inc cx
            or eax, eax
            jnz .div
.out:       pop ax
            add al, '0'
            call putc
            loop .out
            pop edx
            pop ecx
            pop ebx
            pop eax
            ret

; read CMOS register AL → AL
cmos_read:
            out 0x70, al
            in al, 0x71
            ret

; EAX = bytes of RAM above 1 MiB, from CMOS (0x30/0x31 KiB up to 64 MiB, 0x34/0x35 above 16 MiB)
ram_above_1m:
            push bx
            mov al, 0x35
            call cmos_read
            mov ah, al
            mov al, 0x34
            call cmos_read
            or ax, ax
            jz .small
            movzx eax, ax
            shl eax, 16
            add eax, 15 * 1024 * 1024
            pop bx
            ret
.small:     mov al, 0x31
            call cmos_read
            mov ah, al
            mov al, 0x30
            call cmos_read
            movzx eax, ax
            shl eax, 10
            pop bx
            ret

; EAX = total RAM in KiB (640 conventional + extended, counting the hole as the PC does)
ram_kb_total:
            call ram_above_1m
            shr eax, 10
            add eax, 1024
            ret

iret_stub:
            iret

irq_master_eoi:
            push ax
            mov al, 0x20
            out 0x20, al
            pop ax
            iret

irq_slave_eoi:
            push ax
            mov al, 0x20
            out 0xA0, al
            out 0x20, al
            pop ax
            iret

; ---------------------------------------------------------------------------------------
; Handler frame: services save every register, read their inputs from the registers and
; write results into the saved copies, which the exit restores. Flags go back through the
; FLAGS image that INT pushed.
; ---------------------------------------------------------------------------------------
%define F_FLAGS word [bp+6]
%define F_EAX   dword [bp-4]
%define F_AX    word [bp-4]
%define F_AL    byte [bp-4]
%define F_AH    byte [bp-3]
%define F_ECX   dword [bp-8]
%define F_CX    word [bp-8]
%define F_CL    byte [bp-8]
%define F_CH    byte [bp-7]
%define F_EDX   dword [bp-12]
%define F_DX    word [bp-12]
%define F_DL    byte [bp-12]
%define F_DH    byte [bp-11]
%define F_EBX   dword [bp-16]
%define F_BX    word [bp-16]
%define F_BL    byte [bp-16]
%define F_BH    byte [bp-15]
%define F_BP    word [bp-24]
%define F_SI    word [bp-28]
%define F_DI    word [bp-32]
%define F_DS    word [bp-34]
%define F_ES    word [bp-36]

%macro ENTER_FRAME 0
            push bp
            mov bp, sp
            pushad
            push ds
            push es
%endmacro

%macro LEAVE_FRAME 0
            pop es
            pop ds
            popad
            pop bp
            iret
%endmacro

%macro SET_CF 0
            or F_FLAGS, 0x0001
%endmacro
%macro CLEAR_CF 0
            and F_FLAGS, 0xFFFE
%endmacro

; common exits
exit_frame:
            LEAVE_FRAME
exit_ok:    ; CF = 0, AH = 0
            mov F_AH, 0
            CLEAR_CF
            LEAVE_FRAME
exit_fail:  ; CF = 1, AH = status in AH
            mov F_AH, ah
            SET_CF
            LEAVE_FRAME

; ---------------------------------------------------------------------------------------
; int 08h: timer tick; int 0Eh: floppy IRQ
; ---------------------------------------------------------------------------------------
int08:
            push ax
            push ds
            mov ax, 0x40
            mov ds, ax
            add word [BDA_TICKS], 1
            adc word [BDA_TICKS+2], 0
            cmp word [BDA_TICKS+2], TICKS_PER_DAY >> 16
            jb .nomid
            cmp word [BDA_TICKS], TICKS_PER_DAY & 0xFFFF
            jb .nomid
            mov word [BDA_TICKS], 0
            mov word [BDA_TICKS+2], 0
            mov byte [BDA_MIDNIGHT], 1
.nomid:     int 0x1C
            mov al, 0x20
            out 0x20, al
            pop ds
            pop ax
            iret

int0e:
            push ax
            push ds
            mov ax, 0x40
            mov ds, ax
            or byte [BDA_FDRECAL], 0x80
            mov al, 0x20
            out 0x20, al
            pop ds
            pop ax
            iret

; ---------------------------------------------------------------------------------------
; int 09h: keyboard interrupt — set-1 scancode into the BDA buffer
; ---------------------------------------------------------------------------------------
int09:
            push ax
            push bx
            push ds
            mov ax, 0x40
            mov ds, ax
            in al, 0x60
            ; int 15h AH=4Fh keyboard intercept: a hook may consume the key (CF clear)
            mov ah, 0x4F
            stc
            int 0x15
            jnc .done
            cmp al, 0xE0
            je .done
            mov ah, al
            and ah, 0x7F            ; ah = make code
            mov bl, 0x02            ; left shift
            cmp ah, 0x2A
            je .mod
            mov bl, 0x01            ; right shift
            cmp ah, 0x36
            je .mod
            mov bl, 0x04            ; ctrl
            cmp ah, 0x1D
            je .mod
            mov bl, 0x08            ; alt
            cmp ah, 0x38
            je .mod
            test al, 0x80
            jnz .done               ; other key releases
            cmp ah, 0x3A
            jne .translate
            xor byte [BDA_KBFLAGS], 0x40
            jmp .done
.translate: xor al, al
            cmp ah, KB_TABLE_LEN
            jae .store              ; function and cursor keys: ASCII 0
            test byte [BDA_KBFLAGS], 0x08
            jnz .store              ; alt: ASCII 0
            movzx bx, ah
            test byte [BDA_KBFLAGS], 0x03
            jz .unshift
            mov al, [cs:kb_shift+bx]
            jmp .caps
.unshift:   mov al, [cs:kb_normal+bx]
.caps:      mov bl, al
            or bl, 0x20
            cmp bl, 'a'
            jb .store
            cmp bl, 'z'
            ja .store
            test byte [BDA_KBFLAGS], 0x40
            jz .ctrl
            xor al, 0x20            ; caps lock inverts the case of letters
.ctrl:      test byte [BDA_KBFLAGS], 0x04
            jz .store
            and al, 0x1F
.store:     ; AX = scancode:ASCII; append unless the buffer is full
            mov bx, [BDA_KBTAIL]
            push bx
            add bx, 2
            cmp bx, [BDA_KBEND]
            jb .nowrap
            mov bx, [BDA_KBSTART]
.nowrap:    cmp bx, [BDA_KBHEAD]
            je .full
            mov [BDA_KBTAIL], bx
            pop bx
            mov [bx], ax
            jmp .done
.full:      pop bx
            jmp .done
.mod:       test al, 0x80
            jz .press
            not bl
            and [BDA_KBFLAGS], bl
            jmp .done
.press:     or [BDA_KBFLAGS], bl
.done:      mov al, 0x20
            out 0x20, al
            pop ds
            pop bx
            pop ax
            iret

; ---------------------------------------------------------------------------------------
; int 16h: keyboard services
; ---------------------------------------------------------------------------------------
int16:
            ENTER_FRAME
            mov bx, 0x40
            mov ds, bx
            cmp ah, 0x00
            je .read
            cmp ah, 0x10
            je .read
            cmp ah, 0x01
            je .peek
            cmp ah, 0x11
            je .peek
            cmp ah, 0x02
            je .shift
            cmp ah, 0x12
            je .shift2
            cmp ah, 0x05
            je .push
            jmp exit_frame
.read:      cli
            mov bx, [BDA_KBHEAD]
            cmp bx, [BDA_KBTAIL]
            jne .take
            mov dx, PV_WAIT
            mov al, 1
            out dx, al
            sti
            hlt
            jmp .read
.take:      mov ax, [bx]
            add bx, 2
            cmp bx, [BDA_KBEND]
            jb .t2
            mov bx, [BDA_KBSTART]
.t2:        mov [BDA_KBHEAD], bx
            mov F_AX, ax
            jmp exit_frame
.peek:      cli
            mov bx, [BDA_KBHEAD]
            cmp bx, [BDA_KBTAIL]
            je .empty
            mov ax, [bx]
            mov F_AX, ax
            and F_FLAGS, 0xFFBF     ; ZF = 0: a key is waiting
            jmp exit_frame
.empty:     or F_FLAGS, 0x0040      ; ZF = 1
            mov dx, PV_WAIT
            mov al, 2
            out dx, al
            jmp exit_frame
.shift:     mov al, [BDA_KBFLAGS]
            mov F_AL, al
            jmp exit_frame
.shift2:    mov al, [BDA_KBFLAGS]
            mov ah, [BDA_KBFLAGS2]
            mov F_AX, ax
            jmp exit_frame
.push:      cli
            mov bx, [BDA_KBTAIL]
            mov si, bx
            add bx, 2
            cmp bx, [BDA_KBEND]
            jb .p2
            mov bx, [BDA_KBSTART]
.p2:        mov F_AL, 1
            cmp bx, [BDA_KBHEAD]
            je exit_frame           ; full
            mov [si], cx
            mov [BDA_KBTAIL], bx
            mov F_AL, 0
            jmp exit_frame

; ---------------------------------------------------------------------------------------
; int 10h: video. Mode sets, palette, fonts and VBE by the board's firmware services; text
; output, cursor and scrolling here (page 0 at B800:0000, B000:0000 in mode 7).
; ---------------------------------------------------------------------------------------
int10:
            ENTER_FRAME
            mov dx, FW_INT10
            call fw_service
            jnz exit_frame
            mov si, 0x40
            mov ds, si
            mov si, 0xB800
            cmp byte [BDA_VMODE], 7 ; monochrome text lives at B000h
            jne .colour
            mov si, 0xB000
.colour:    mov es, si
            cmp ah, 0x0E
            je v_teletype
            cmp ah, 0x00
            je v_setmode
            cmp ah, 0x01
            je v_cursorshape
            cmp ah, 0x02
            je v_setcursor
            cmp ah, 0x03
            je v_getcursor
            cmp ah, 0x05
            je v_setpage
            cmp ah, 0x06
            je v_scrollup
            cmp ah, 0x07
            je v_scrolldown
            cmp ah, 0x08
            je v_readchar
            cmp ah, 0x09
            je v_writecharattr
            cmp ah, 0x0A
            je v_writechar
            cmp ah, 0x0F
            je v_getmode
            cmp ah, 0x11
            je v_font
            cmp ah, 0x12
            je v_altselect
            cmp ah, 0x1A
            je v_display
            jmp exit_frame

v_setmode:
            mov ah, al
            and al, 0x7F
            mov [BDA_VMODE], al
            ; modes 0 and 1 are 40 columns, the others 80; the CRTC's display end follows
            mov bx, 80
            mov cx, 4096
            cmp al, 1
            ja .cols
            mov bx, 40
            mov cx, 2048
.cols:      mov [BDA_VCOLS], bx
            mov [BDA_VPAGESIZE], cx
            push ax
            mov dx, 0x3D4
            mov al, 0x01
            mov ah, bl
            dec ah
            out dx, ax
            pop ax
            mov word [BDA_VPAGEOFF], 0
            mov byte [BDA_VPAGE], 0
            mov word [BDA_CRTCPORT], 0x3D4
            mov byte [BDA_VMODECTL], 0x29
            mov byte [BDA_VPALETTE], 0x30
            mov byte [BDA_VROWS], 24
            mov word [BDA_VCHARH], 16
            mov byte [0x87], 0x60
            mov byte [0x88], 0xF9
            mov byte [0x89], 0x51
            xor di, di
.cur:       mov word [BDA_CURPOS+di], 0
            add di, 2
            cmp di, 16
            jb .cur
            mov cx, 0x0607
            mov [BDA_CURSHAPE], cx
            call set_crtc_shape
            test ah, 0x80
            jnz .noclear
            xor di, di
            mov cx, [BDA_VCOLS]
            imul cx, cx, 25
            mov ax, 0x0720
            rep stosw
.noclear:   ; CRTC start address 0
            mov dx, 0x3D4
            mov ax, 0x000C
            out dx, ax
            mov ax, 0x000D
            out dx, ax
            call update_cursor
            jmp exit_frame

v_cursorshape:
            mov [BDA_CURSHAPE], cx
            call set_crtc_shape
            jmp exit_frame

v_setcursor:
            movzx di, bh
            and di, 7
            shl di, 1
            mov [BDA_CURPOS+di], dx
            call update_cursor
            jmp exit_frame

v_getcursor:
            movzx di, bh
            and di, 7
            shl di, 1
            mov dx, [BDA_CURPOS+di]
            mov F_DX, dx
            mov cx, [BDA_CURSHAPE]
            mov F_CX, cx
            jmp exit_frame

v_setpage:
            and al, 7
            mov [BDA_VPAGE], al
            call update_cursor
            jmp exit_frame

v_getmode:
            mov al, [BDA_VMODE]
            mov ah, [BDA_VCOLS]
            mov F_AX, ax
            mov al, [BDA_VPAGE]
            mov F_BH, al
            jmp exit_frame

v_display:  ; AL=00: display combination → AL=1Ah, BX=0008 (VGA with colour display)
            cmp al, 0
            jne exit_frame
            mov F_AL, 0x1A
            mov F_BX, 0x0008
            jmp exit_frame

v_font:     ; AX=1130h: font information (CX bytes/char, DL rows-1, ES:BP table)
            cmp al, 0x30
            jne exit_frame
            mov cx, [BDA_VCHARH]
            mov F_CX, cx
            mov cl, [BDA_VROWS]
            mov F_DL, cl
            mov F_ES, cs
            mov F_BP, font_stub
            jmp exit_frame

v_altselect: ; BL=10h: EGA/VGA information → colour, 256 KiB
            cmp bl, 0x10
            jne exit_frame
            mov F_BX, 0x0003
            mov F_CX, 0x0009
            jmp exit_frame

v_readchar:
            call cursor_offset
            mov ax, [es:di]
            mov F_AX, ax
            jmp exit_frame

v_writecharattr:
            call cursor_offset
            mov ah, bl
            jcxz .done
            rep stosw
.done:      jmp exit_frame

v_writechar:
            call cursor_offset
            jcxz .done
.loop:      stosb
            inc di
            loop .loop
.done:      jmp exit_frame

v_teletype:
            call teletype
            jmp exit_frame

v_scrollup:
            call scroll_up
            jmp exit_frame

v_scrolldown:
            call scroll_down
            jmp exit_frame

; Offer the call whose frame is at SS:BP to the board's service port DX; ZF clear = it was done.
; Restores EAX and EDX from the frame when it was not.
fw_service:
            mov ax, ss
            shl eax, 16
            mov ax, bp
            out dx, eax
            in al, dx
            test al, al
            mov eax, F_EAX
            mov edx, F_EDX
            ret

; DI = byte offset of the cursor (page 0). DS = BDA.
cursor_offset:
            push ax
            mov ax, [BDA_CURPOS]
            movzx di, ah
            imul di, [BDA_VCOLS]
            xor ah, ah
            add di, ax
            shl di, 1
            pop ax
            ret

; program the CRTC cursor location from the BDA
update_cursor:
            push ax
            push dx
            push di
            call cursor_offset
            shr di, 1
            mov dx, [BDA_CRTCPORT]  ; 3D4h, or 3B4h in mode 7
            mov al, 0x0E
            out dx, al
            inc dx
            mov ax, di
            mov al, ah
            out dx, al
            dec dx
            mov al, 0x0F
            out dx, al
            inc dx
            mov ax, di
            out dx, al
            pop di
            pop dx
            pop ax
            ret

set_crtc_shape:             ; CX = start:end scan lines
            push ax
            push dx
            mov dx, [BDA_CRTCPORT]
            mov al, 0x0A
            out dx, al
            inc dx
            mov al, ch
            out dx, al
            dec dx
            mov al, 0x0B
            out dx, al
            inc dx
            mov al, cl
            out dx, al
            pop dx
            pop ax
            ret

; AL = character, written with teletype semantics on page 0. DS = BDA, ES = video.
teletype:
            push ax
            push bx
            push cx
            push dx
            push di
            mov dx, [BDA_CURPOS]    ; dl = column, dh = row
            cmp al, 13
            je .cr
            cmp al, 10
            je .lf
            cmp al, 8
            je .bs
            cmp al, 7
            je .out
            call cursor_offset
            mov [es:di], al
            inc dl
            cmp dl, [BDA_VCOLS]
            jb .store
            xor dl, dl
            jmp .lf
.cr:        xor dl, dl
            jmp .store
.bs:        or dl, dl
            jz .store
            dec dl
            jmp .store
.lf:        inc dh
            cmp dh, [BDA_VROWS]
            jbe .store
            mov dh, [BDA_VROWS]
            push dx
            ; scroll the screen up one line, new line takes the attribute at the cursor row
            movzx di, byte [BDA_VROWS]
            imul di, [BDA_VCOLS]
            shl di, 1               ; offset of the last row
            mov bh, [es:di + 1]
            mov al, 1
            xor cx, cx
            mov dl, [BDA_VCOLS]
            dec dl
            mov dh, [BDA_VROWS]
            call scroll_up
            pop dx
.store:     mov [BDA_CURPOS], dx
            call update_cursor
.out:       pop di
            pop dx
            pop cx
            pop bx
            pop ax
            ret

; Scroll the window CH,CL (top-left) .. DH,DL (bottom-right) by AL lines (0 = clear),
; filling with attribute BH. DS = BDA, ES = video segment. BP holds the row length in bytes.
scroll_up:
            pusha
            mov bp, [BDA_VCOLS]
            shl bp, 1
            push ds
            push es
            pop ds
            call scroll_prepare
            mov ah, ch              ; ah = destination row
.row:       mov bl, ah
            add bl, al              ; bl = source row
            jc .fill
            cmp bl, dh
            ja .fill
            call copy_row
            inc ah
            jmp .row
.fill:      cmp ah, dh
            ja .end
            call blank_row
            inc ah
            jmp .fill
.end:       pop ds
            popa
            ret

scroll_down:
            pusha
            mov bp, [BDA_VCOLS]
            shl bp, 1
            push ds
            push es
            pop ds
            call scroll_prepare
            mov ah, dh              ; destination row, moving up
.row:       mov bl, ah
            sub bl, al
            jc .fill
            cmp bl, ch
            jb .fill
            call copy_row
            cmp ah, ch
            je .end
            dec ah
            jmp .row
.fill:      call blank_row
            cmp ah, ch
            je .end
            dec ah
            jmp .fill
.end:       pop ds
            popa
            ret

; clamp the window to the screen and AL to its height (0 → height)
scroll_prepare:
            cmp dh, 24
            jbe .r
            mov dh, 24
.r:         push bx
            mov bx, bp
            shr bx, 1
            dec bx                  ; last column
            cmp dl, bl
            jbe .c
            mov dl, bl
.c:         pop bx
            mov bl, dh
            sub bl, ch
            inc bl                  ; window height
            cmp al, 0
            je .all
            cmp al, bl
            jb .ok
.all:       mov al, bl
.ok:        ret

; copy row BL to row AH over columns CL..DL (DS = ES = video, BP = bytes per row)
copy_row:
            push ax
            push cx
            push si
            push di
            movzx si, bl
            imul si, bp
            movzx di, ah
            imul di, bp
            movzx ax, cl
            shl ax, 1
            add si, ax
            add di, ax
            mov al, dl
            sub al, cl
            movzx cx, al
            inc cx
            cld
            rep movsw
            pop di
            pop si
            pop cx
            pop ax
            ret

; blank row AH over columns CL..DL with attribute BH (BP = bytes per row)
blank_row:
            push ax
            push cx
            push di
            movzx di, ah
            imul di, bp
            movzx ax, cl
            shl ax, 1
            add di, ax
            mov al, dl
            sub al, cl
            movzx cx, al
            inc cx
            mov al, ' '
            mov ah, bh
            cld
            rep stosw
            pop di
            pop cx
            pop ax
            ret

font_stub:  times 16 db 0

; ---------------------------------------------------------------------------------------
; int 11h, 12h, 14h, 17h, 18h
; ---------------------------------------------------------------------------------------
int11:
            push ds
            mov ax, 0x40
            mov ds, ax
            mov ax, [BDA_EQUIP]
            pop ds
            iret

int12:
            push ds
            mov ax, 0x40
            mov ds, ax
            mov ax, [BDA_MEMKB]
            pop ds
            iret

int14:      ; serial services are not provided: report a time-out
            mov ah, 0x80
            iret

int17:      ; no printer: time-out and I/O error
            mov ah, 0x09
            iret

int18:
            sti
            mov si, msg_noboot
            call print
.halt:      hlt
            jmp .halt

; ---------------------------------------------------------------------------------------
; int 19h: bootstrap — first floppy, then first hard disk
; ---------------------------------------------------------------------------------------
int19:
            sti
            xor ax, ax
            mov ds, ax
            mov es, ax
            mov dx, PV_DRIVES
            in ax, dx
            or al, al
            jz .try_hd
            mov dl, 0x00
            call load_boot_sector
            jc .try_hd
            cmp word [es:0x7C00], 0
            je .try_hd
            mov si, msg_bootfd
            call print
            mov dl, 0x00
            jmp .go
.try_hd:    mov dx, PV_DRIVES
            in ax, dx
            or ah, ah
            jz .fail
            mov dl, 0x80
            call load_boot_sector
            jc .fail
            cmp word [es:0x7DFE], 0xAA55
            jne .fail
            mov si, msg_boothd
            call print
            mov dl, 0x80
.go:        xor ax, ax
            mov ds, ax
            mov es, ax
            mov ss, ax
            mov sp, 0x7C00
            xor dh, dh
            jmp 0x0000:0x7C00
.fail:      int 0x18

; read sector 0 of drive DL to 0000:7C00 (three tries); CF on failure
load_boot_sector:
            mov si, 3
.retry:     push dx
            mov ax, 0x0201
            mov bx, 0x7C00
            mov cx, 0x0001
            xor dh, dh
            int 0x13
            pop dx
            jnc .ok
            dec si
            jnz .retry
            stc
.ok:        ret

; ---------------------------------------------------------------------------------------
; int 13h: disk services through the paravirtual port
; ---------------------------------------------------------------------------------------
; AX = info index AL of drive DL
pv_info:
            push dx
            push ax
            movzx ax, dl
            mov dx, PV_DRIVE
            out dx, ax
            pop ax
            movzx ax, al
            mov dx, PV_INFO
            out dx, ax
            in ax, dx
            pop dx
            ret

int13:
            ENTER_FRAME
            sti
            cld
            cmp ah, 0x00
            je d_reset
            cmp ah, 0x01
            je d_status
            cmp ah, 0x02
            je d_read
            cmp ah, 0x03
            je d_write
            cmp ah, 0x04
            je d_present_op
            cmp ah, 0x08
            je d_params
            cmp ah, 0x15
            je d_type
            cmp ah, 0x16
            je d_changed
            cmp ah, 0x41
            je d_extcheck
            cmp ah, 0x42
            je d_extread
            cmp ah, 0x43
            je d_extwrite
            cmp ah, 0x44
            je d_present_op         ; extended verify
            cmp ah, 0x48
            je d_extparams
            cmp ah, 0x0C            ; seek, reset, ready, recalibrate, diagnostics
            je d_present_op
            cmp ah, 0x0D
            je d_present_op
            cmp ah, 0x10
            je d_present_op
            cmp ah, 0x11
            je d_present_op
            cmp ah, 0x14
            je d_ok
            mov ah, 0x01            ; invalid function
            jmp d_fail

; exits recording the status in the BDA: d_ok (AH = 0, CF = 0), d_fail (AH, CF = 1)
d_ok:
            xor ah, ah
            call d_record
            jmp exit_ok
d_fail:
            call d_record
            jmp exit_fail

d_record:   ; store AH as the last status of drive DL's subsystem
            push ds
            push bx
            mov bx, 0x40
            mov ds, bx
            mov bx, BDA_FDSTATUS
            test dl, 0x80
            jz .s
            mov bx, BDA_HDSTATUS
.s:         mov [bx], ah
            pop bx
            pop ds
            ret

d_present:  ; CF clear if drive DL exists
            push ax
            mov al, 0
            call pv_info
            cmp ax, 1
            pop ax
            ret

d_reset:
d_present_op:
            call d_present
            jnc d_ok
            mov ah, 0x80
            jmp d_fail

d_status:
            push ds
            mov bx, 0x40
            mov ds, bx
            mov bx, BDA_FDSTATUS
            test dl, 0x80
            jz .s
            mov bx, BDA_HDSTATUS
.s:         mov ah, [bx]
            pop ds
            mov F_AH, ah
            CLEAR_CF
            jmp exit_frame

; CHS in CX/DH → LBA in EAX for drive DL; CF if outside the geometry
chs_to_lba:
            push ebx
            push ecx
            push esi
            push edi
            movzx esi, cl
            and si, 0x3F            ; sector (1-based)
            jz .bad
            movzx edi, ch
            shr cl, 6
            movzx ebx, cl
            shl ebx, 8
            or edi, ebx             ; edi = cylinder
            mov al, 3
            call pv_info
            cmp si, ax
            ja .bad
            movzx ecx, ax           ; ecx = sectors per track
            mov al, 2
            call pv_info
            movzx ebx, ax           ; ebx = heads
            movzx eax, dh
            cmp eax, ebx
            jae .bad
            push edx
            xchg eax, edi           ; eax = cylinder, edi = head
            mul ebx
            add eax, edi
            mul ecx
            add eax, esi
            dec eax
            pop edx
            pop edi
            pop esi
            pop ecx
            pop ebx
            clc
            ret
.bad:       pop edi
            pop esi
            pop ecx
            pop ebx
            stc
            ret

; EAX = LBA, CX = count, ES:BX = buffer, DL = drive, SI = command (1 read, 2 write)
; → AH = BIOS status (0, 80h no drive, 04h sector not found)
pv_transfer:
            push dx
            push ax
            movzx ax, dl
            mov dx, PV_DRIVE
            out dx, ax
            pop ax
            mov dx, PV_LBA_LO
            out dx, ax
            shr eax, 16
            mov dx, PV_LBA_HI
            out dx, ax
            mov ax, cx
            mov dx, PV_COUNT
            out dx, ax
            mov ax, bx
            mov dx, PV_BUF_OFF
            out dx, ax
            mov ax, es
            mov dx, PV_BUF_SEG
            out dx, ax
            mov ax, si
            mov dx, PV_CMD
            out dx, ax
            in ax, dx
            pop dx
            mov ah, 0x00
            cmp al, 0
            je .done
            mov ah, 0x80
            cmp al, 1
            je .done
            mov ah, 0x04
.done:      ret

d_read:
            mov si, 1
            jmp d_rw
d_write:
            mov si, 2
d_rw:
            call d_present
            jc .absent
            movzx di, al            ; sector count
            call chs_to_lba
            jc .badchs
            mov cx, di
            call pv_transfer
            or ah, ah
            jnz .err
            jmp d_ok                ; AL (sectors transferred) stays as the caller passed it
.absent:    mov ah, 0x80
            jmp .err
.badchs:    mov ah, 0x04
.err:       mov F_AL, 0
            jmp d_fail

d_params:
            test dl, 0x80
            jnz .disk
            ; floppy: BL type, CH/CL geometry, DH max head, DL drive count, ES:DI → DPT
            mov cl, dl              ; drive number
            mov dx, PV_DRIVES
            in ax, dx
            mov F_DL, al
            mov dl, cl
            mov F_AX, 0
            mov F_BX, 0
            mov F_CX, 0
            mov F_DH, 0
            call d_present
            jc d_ok                 ; no such drive: zeros, success
            mov al, 6
            call pv_info
            mov F_BL, al
            mov al, 1
            call pv_info
            dec al
            mov F_CH, al
            mov al, 3
            call pv_info
            mov F_CL, al
            mov al, 2
            call pv_info
            dec al
            mov F_DH, al
            mov F_ES, cs
            mov F_DI, dpt
            jmp d_ok
.disk:      call d_present
            jc .nodisk
            mov al, 1
            call pv_info
            dec ax                  ; max cylinder
            mov F_CH, al
            shl ah, 6
            mov bl, ah
            mov al, 3
            call pv_info
            or bl, al
            mov F_CL, bl
            mov al, 2
            call pv_info
            dec al
            mov F_DH, al
            mov dx, PV_DRIVES
            in ax, dx
            mov F_DL, ah
            mov F_AL, 0
            mov dl, 0x80
            jmp d_ok
.nodisk:    mov ah, 0x07
            jmp d_fail

d_type:     ; AH = 0 none, 1 floppy without change line, 3 hard disk (CX:DX sectors)
            call d_present
            jc .none
            test dl, 0x80
            jnz .disk
            mov F_AH, 0x01
            CLEAR_CF
            jmp exit_frame
.disk:      mov al, 4
            call pv_info
            mov F_DX, ax
            mov al, 5
            call pv_info
            mov F_CX, ax
            mov F_AH, 0x03
            CLEAR_CF
            jmp exit_frame
.none:      mov F_AH, 0x00
            CLEAR_CF
            jmp exit_frame

d_changed:  ; media never changes under us
            call d_present
            jnc d_ok
            mov ah, 0x80
            jmp d_fail

d_extcheck: ; int 13h extensions (EDD 1.1, fixed-disk access subset) for hard disks only
            cmp bx, 0x55AA
            jne .no
            test dl, 0x80
            jz .no
            call d_present
            jc .no
            mov F_BX, 0xAA55
            mov F_CX, 0x0001
            mov F_AH, 0x21
            CLEAR_CF
            jmp exit_frame
.no:        mov ah, 0x01
            jmp d_fail

; DS:SI → disk address packet {size, 0, count, offset, segment, LBA qword}
d_extread:
            mov di, 1
            jmp d_ext
d_extwrite:
            mov di, 2
d_ext:
            call d_present
            jc .absent
            mov cx, [si+2]
            mov bx, [si+4]
            mov ax, [si+6]
            mov es, ax
            cmp dword [si+12], 0
            jne .range
            mov eax, [si+8]
            push si
            mov si, di
            call pv_transfer
            pop si
            or ah, ah
            jnz .err
            jmp d_ok
.absent:    mov ah, 0x80
            jmp .err
.range:     mov ah, 0x04
.err:       mov word [si+2], 0
            jmp d_fail

d_extparams: ; DS:SI → result buffer (at least 26 bytes)
            call d_present
            jc .absent
            cmp word [si], 26
            jb .bad
            mov word [si], 26
            mov word [si+2], 0x0002 ; geometry valid
            mov al, 1
            call pv_info
            movzx eax, ax
            mov [si+4], eax
            mov al, 2
            call pv_info
            movzx eax, ax
            mov [si+8], eax
            mov al, 3
            call pv_info
            movzx eax, ax
            mov [si+12], eax
            mov al, 4
            call pv_info
            mov [si+16], ax
            mov al, 5
            call pv_info
            mov [si+18], ax
            mov dword [si+20], 0
            mov word [si+24], 512
            jmp d_ok
.absent:    mov ah, 0x80
            jmp d_fail
.bad:       mov ah, 0x01
            jmp d_fail

; ---------------------------------------------------------------------------------------
; int 15h: system services
; ---------------------------------------------------------------------------------------
int15:
            ENTER_FRAME
            cmp ah, 0x4F
            je exit_frame           ; keyboard intercept: pass the key through (CF as given)
            cmp ax, 0xE820
            je s_e820
            cmp ax, 0xE801
            je s_e801
            cmp ah, 0x88
            je s_ext
            cmp ah, 0x24
            je s_a20
            cmp ah, 0xC0
            je s_config
            cmp ah, 0x86
            je s_wait
            cmp ah, 0x91            ; device post (interrupt complete): nothing to do
            je exit_ok
            cmp ah, 0x90            ; device busy: no waiting to offer
            je exit_ok
            cmp ah, 0x87
            je s_move
            cmp ah, 0xC2
            je s_mouse
            mov ah, 0x86            ; unsupported (89h protected mode, …)
            jmp exit_fail

s_move:     ; AH=87h: copy CX words between the GDT descriptors at ES:SI+10h and +18h (by the board)
            mov dx, FW_INT15
            call fw_service
            jnz exit_frame
            mov ah, 0x86
            jmp exit_fail

s_ext:      ; AX = KiB above 1 MiB (at most 0xFFFF)
            call ram_above_1m
            shr eax, 10
            cmp eax, 0xFFFF
            jbe .ok
            mov eax, 0xFFFF
.ok:        mov F_AX, ax
            CLEAR_CF
            jmp exit_frame

s_e801:     ; AX = CX = KiB between 1 and 16 MiB, BX = DX = 64 KiB blocks above 16 MiB
            call ram_above_1m
            mov ebx, eax
            shr eax, 10
            cmp eax, 15 * 1024
            jbe .low
            mov eax, 15 * 1024
.low:       mov F_AX, ax
            mov F_CX, ax
            xor eax, eax
            sub ebx, 15 * 1024 * 1024
            jbe .nohigh
            mov eax, ebx
            shr eax, 16
.nohigh:    mov F_BX, ax
            mov F_DX, ax
            CLEAR_CF
            jmp exit_frame

; E820: EBX = continuation (entry index), ES:DI = 20-byte buffer, EDX = 'SMAP'
s_e820:
            cmp edx, 0x534D4150
            jne .bad
            cmp ebx, 3
            jae .bad
            ; entry 0: 0 - A0000 usable; 1: F0000 - 100000 reserved; 2: 1 MiB - top usable
            mov dword [es:di+4], 0
            mov dword [es:di+12], 0
            mov dword [es:di+16], 1
            cmp bx, 0
            jne .e1
            mov dword [es:di], 0
            mov dword [es:di+8], 0xA0000
            jmp .next
.e1:        cmp bx, 1
            jne .e2
            mov dword [es:di], 0xF0000
            mov dword [es:di+8], 0x10000
            mov dword [es:di+16], 2
            jmp .next
.e2:        mov dword [es:di], 0x100000
            call ram_above_1m
            mov [es:di+8], eax
.next:      inc ebx
            cmp ebx, 3
            jb .more
            xor ebx, ebx
.more:      mov F_EBX, ebx
            mov F_EAX, 0x534D4150
            mov F_ECX, 20
            CLEAR_CF
            jmp exit_frame
.bad:       mov ah, 0x86
            jmp exit_fail

s_a20:      ; 2400 off, 2401 on, 2402 status, 2403 support — through the 8042 output port
            cmp al, 0x03
            je .support
            cmp al, 0x02
            je .status
            cmp al, 0x01
            ja .bad
            mov bl, 0xDD            ; 8042: A20 off
            add bl, al
            add bl, al              ; 0xDF: A20 on
            call kbc_wait
            mov al, bl
            out 0x64, al
            in al, 0x92             ; and the fast gate follows
            and al, 0xFC
            mov ah, F_AL
            shl ah, 1
            or al, ah
            out 0x92, al
            jmp exit_ok
.status:    call kbc_wait
            mov al, 0xD0            ; read the output port
            out 0x64, al
.rd:        in al, 0x64
            test al, 1
            jz .rd
            in al, 0x60
            shr al, 1
            and al, 1
            mov F_AL, al
            jmp exit_ok
.support:   mov F_BX, 0x0003        ; keyboard controller and port 92h
            jmp exit_ok
.bad:       mov ah, 0x86
            jmp exit_fail

; ---------------------------------------------------------------------------------------
; int 15h AH=C2h: the PS/2 mouse for DOS drivers. AL = 00 enable (BH=1) / disable (BH=0), 01 reset,
; 02 sample rate (BH 0-6), 03 resolution (BH 0-3), 04 device id, 05 initialise (BH = packet size),
; 06 status (BH=0) or scaling (BH=1 1:1, 2 2:1), 07 handler ES:BX. Commands go through the 8042
; (D4h) and their answers are polled; IRQ12 (int74) gathers the packets and far-calls the handler
; with status, X, Y and 0 pushed in that order. The state lives here: the BIOS runs from RAM.
; Errors in AH: 01 bad function, 02 bad input, 03 interface error, 05 no handler installed.
; ---------------------------------------------------------------------------------------
mouse_handler:  dd 0
mouse_packet:   db 0, 0, 0
mouse_index:    db 0
mouse_on:       db 0
mouse_rates:    db 10, 20, 40, 60, 80, 100, 200

s_mouse:
            cmp al, 7
            ja .badfn
            call mouse_port_on
            cmp al, 0
            je .enable
            cmp al, 1
            je .reset
            cmp al, 2
            je .rate
            cmp al, 3
            je .resolution
            cmp al, 4
            je .id
            cmp al, 5
            je .init
            cmp al, 6
            je .extended
            ; 07: the handler
            mov [cs:mouse_handler], bx
            mov [cs:mouse_handler + 2], es
            jmp exit_ok
.enable:    cmp bh, 1
            ja .badin
            je .on
            mov byte [cs:mouse_on], 0
            mov al, 0xF5
            call mouse_cmd
            jc .iface
            jmp exit_ok
.on:        cmp dword [cs:mouse_handler], 0
            je .nohandler
            mov byte [cs:mouse_index], 0
            mov al, 0xF4
            call mouse_cmd
            jc .iface
            mov byte [cs:mouse_on], 1
            jmp exit_ok
.reset:     mov byte [cs:mouse_on], 0
            mov byte [cs:mouse_index], 0
            mov al, 0xFF
            call mouse_cmd
            jc .iface
            call mouse_read         ; AAh: self test passed
            jc .iface
            mov F_BL, al
            call mouse_read         ; the device id
            jc .iface
            mov F_BH, al
            jmp exit_ok
.rate:      cmp bh, 6
            ja .badin
            movzx bx, bh
            mov al, 0xF3
            call mouse_cmd
            jc .iface
            mov al, [cs:mouse_rates + bx]
            call mouse_cmd
            jc .iface
            jmp exit_ok
.resolution:
            cmp bh, 3
            ja .badin
            mov al, 0xE8
            call mouse_cmd
            jc .iface
            mov al, bh
            call mouse_cmd
            jc .iface
            jmp exit_ok
.id:        mov al, 0xF2
            call mouse_cmd
            jc .iface
            call mouse_read
            jc .iface
            mov F_BH, al
            jmp exit_ok
.init:      cmp bh, 3               ; 3-byte packets only (what a PS/2 mouse sends)
            jne .badin
            mov byte [cs:mouse_on], 0
            mov byte [cs:mouse_index], 0
            mov al, 0xF5            ; disabled, then the defaults (100/s, 4 counts/mm, 1:1)
            call mouse_cmd
            jc .iface
            mov al, 0xF6
            call mouse_cmd
            jc .iface
            jmp exit_ok
.extended:  cmp bh, 0
            je .status
            cmp bh, 2
            ja .badin
            mov al, 0xE5
            add al, bh              ; E6h 1:1, E7h 2:1
            call mouse_cmd
            jc .iface
            jmp exit_ok
.status:    mov al, 0xE9
            call mouse_cmd
            jc .iface
            call mouse_read
            jc .iface
            mov F_BL, al
            call mouse_read
            jc .iface
            mov F_CL, al
            call mouse_read
            jc .iface
            mov F_DL, al
            jmp exit_ok
.badfn:     mov ah, 0x01
            jmp exit_fail
.badin:     mov ah, 0x02
            jmp exit_fail
.iface:     mov ah, 0x03
            jmp exit_fail
.nohandler: mov ah, 0x05
            jmp exit_fail

; the aux port on, IRQ12 enabled in the 8042's command byte and unmasked at the slave PIC
mouse_port_on:
            push ax
            call kbc_wait
            mov al, 0xA8
            out 0x64, al
            call kbc_wait
            mov al, 0x20
            out 0x64, al
.rd:        in al, 0x64
            test al, 1
            jz .rd
            in al, 0x60
            and al, 0xDF            ; aux clock on
            or al, 0x02             ; IRQ12
            mov ah, al
            call kbc_wait
            mov al, 0x60
            out 0x64, al
            call kbc_wait
            mov al, ah
            out 0x60, al
            in al, 0xA1
            and al, 0xEF
            out 0xA1, al
            in al, 0x21
            and al, 0xFB            ; and the cascade
            out 0x21, al
            pop ax
            ret

; AL to the mouse; CF set unless it answered FAh
mouse_cmd:
            push ax
            call kbc_wait
            mov al, 0xD4
            out 0x64, al
            call kbc_wait
            pop ax
            out 0x60, al
            call mouse_read
            jc .r
            cmp al, 0xFA
            je .r                   ; CF clear
            stc
.r:         ret

; AL = the next byte from the mouse (keyboard bytes meanwhile are dropped); CF on a timeout
mouse_read:
            push cx
            mov cx, 0xFFFF
.w:         in al, 0x64
            test al, 1
            jz .next
            test al, 0x20
            in al, 0x60
            jz .next
            pop cx
            clc
            ret
.next:      loop .w
            pop cx
            stc
            ret

; IRQ12: one packet byte; a whole packet goes to the handler when the mouse is enabled
int74:
            pusha
            in al, 0x64
            and al, 0x21
            cmp al, 0x21
            jne .eoi                ; nothing from the mouse (its answer was polled already)
            in al, 0x60
            movzx bx, byte [cs:mouse_index]
            or bx, bx
            jnz .store
            test al, 0x08           ; a first byte always has bit 3 set: resynchronise
            jz .eoi
.store:     mov [cs:mouse_packet + bx], al
            inc bx
            cmp bx, 3
            jb .keep
            xor bx, bx
            cmp byte [cs:mouse_on], 0
            je .keep
            movzx ax, byte [cs:mouse_packet]
            push ax
            movzx ax, byte [cs:mouse_packet + 1]
            push ax
            movzx ax, byte [cs:mouse_packet + 2]
            push ax
            push word 0
            call far [cs:mouse_handler]
            add sp, 8
.keep:      mov [cs:mouse_index], bl
.eoi:       mov al, 0x20
            out 0xA0, al
            out 0x20, al
            popa
            iret

kbc_wait:   ; until the 8042 input buffer is empty
            push ax
.w:         in al, 0x64
            test al, 2
            jnz .w
            pop ax
            ret

s_config:   mov F_ES, cs
            mov F_BX, config_table
            jmp exit_ok

s_wait:     ; CX:DX microseconds, waited as timer ticks (55 ms each, at least one)
            sti
            mov ax, cx
            shl eax, 16
            mov ax, dx
            xor edx, edx
            mov ecx, 54925
            div ecx
            inc eax
            mov ecx, eax
            push ds
            mov ax, 0x40
            mov ds, ax
.tick:      mov ebx, [BDA_TICKS]
.same:      hlt
            cmp ebx, [BDA_TICKS]
            je .same
            loop .tick
            pop ds
            jmp exit_ok

; ---------------------------------------------------------------------------------------
; int 1Ah: time services
; ---------------------------------------------------------------------------------------
int1a:
            ENTER_FRAME
            mov bx, 0x40
            mov ds, bx
            cmp ah, 0x00
            je t_get
            cmp ah, 0x01
            je t_set
            cmp ah, 0x02
            je t_rtctime
            cmp ah, 0x03
            je t_setrtctime
            cmp ah, 0x04
            je t_rtcdate
            cmp ah, 0x05
            je t_setrtcdate
            mov ah, 0x86
            jmp exit_fail

t_get:      cli
            mov ax, [BDA_TICKS]
            mov F_DX, ax
            mov ax, [BDA_TICKS+2]
            mov F_CX, ax
            mov al, 0
            xchg al, [BDA_MIDNIGHT]
            mov F_AL, al
            jmp exit_frame

t_set:      cli
            mov [BDA_TICKS], dx
            mov [BDA_TICKS+2], cx
            mov byte [BDA_MIDNIGHT], 0
            jmp exit_ok

t_rtctime:  ; CH hours, CL minutes, DH seconds (BCD), DL daylight saving
            mov al, 0x04
            call cmos_read
            mov F_CH, al
            mov al, 0x02
            call cmos_read
            mov F_CL, al
            mov al, 0x00
            call cmos_read
            mov F_DH, al
            mov F_DL, 0
            jmp exit_ok

t_setrtctime:
            mov al, 0x04
            mov ah, ch
            call cmos_write
            mov al, 0x02
            mov ah, cl
            call cmos_write
            mov al, 0x00
            mov ah, dh
            call cmos_write
            jmp exit_ok

t_rtcdate:  ; CH century, CL year, DH month, DL day (BCD)
            mov al, 0x32
            call cmos_read
            mov F_CH, al
            mov al, 0x09
            call cmos_read
            mov F_CL, al
            mov al, 0x08
            call cmos_read
            mov F_DH, al
            mov al, 0x07
            call cmos_read
            mov F_DL, al
            jmp exit_ok

t_setrtcdate:
            mov al, 0x32
            mov ah, ch
            call cmos_write
            mov al, 0x09
            mov ah, cl
            call cmos_write
            mov al, 0x08
            mov ah, dh
            call cmos_write
            mov al, 0x07
            mov ah, dl
            call cmos_write
            jmp exit_ok

cmos_write:                 ; register AL ← AH
            out 0x70, al
            mov al, ah
            out 0x71, al
            ret

; ---------------------------------------------------------------------------------------
; Reset vector and identification bytes at the top of the segment
; ---------------------------------------------------------------------------------------
            times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:
            jmp 0xF000:post
            db '11/24/26'
            db 0x00
            db 0xFC                 ; model: AT
            db 0x00
