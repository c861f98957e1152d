; int 15h AH=C2h (the BIOS's PS/2 mouse services, what DOS mouse drivers use): a boot sector that
; initialises the mouse, asks its id and status, installs a handler, enables it and then spins with
; interrupts on; each packet the BIOS hands over (status, X, Y, 0 on the stack) is counted and summed.
; Results in memory for the test (test/boards/mouse-bios.test.ts), the same under both BIOSes:
;   7000h  words: (CF << 8) | AH after each call, in the order of the calls below
;   7040h  bytes: device id (04h), status BL/CL/DL (06h BH=0) after enabling
;   7050h  words: packets, last status, last X, last Y, last Z, X sum, Y sum (sign-extended)
;   7060h  BEEFh once everything is set up
bits 16
cpu 386
org 0x7c00

start:      cli
            xor ax, ax
            mov ds, ax
            mov es, ax
            mov ss, ax
            mov sp, 0x7c00
            sti
            mov di, 0x7000
            mov ax, 0xc200          ; enable before any handler: refused
            mov bh, 1
            call c2
            mov ax, 0xc208          ; no such function
            call c2
            mov ax, 0xc205          ; initialise, 3-byte packets
            mov bh, 3
            call c2
            mov ax, 0xc204          ; device id
            call c2
            mov [0x7040], bh
            mov ax, 0xc202          ; 100 samples/s
            mov bh, 5
            call c2
            mov ax, 0xc203          ; 8 counts/mm
            mov bh, 3
            call c2
            mov ax, 0xc202          ; rate 7: bad input
            mov bh, 7
            call c2
            mov ax, 0xc207          ; the handler
            mov bx, handler
            call c2
            mov ax, 0xc200          ; enable
            mov bh, 1
            call c2
            mov ax, 0xc206          ; status
            xor bh, bh
            call c2
            mov [0x7041], bl
            mov [0x7042], cl
            mov [0x7043], dl
            mov word [0x7060], 0xbeef   ; set up: the test may move the mouse now
            sti
idle:       jmp idle                ; busy, not HLT: the test counts instructions, not time

; int 15h with AX, BH as given; the outcome stored at DI
c2:         push ax
            int 0x15
            mov al, ah
            mov ah, 0
            adc ah, 0
            stosw
            pop ax
            ret

; one axis: the word at [%1] kept at [%2], its low byte sign-extended by status bit %3 (BL) added to [%4]
%macro MOVEMENT 4
            mov ax, [%1]
            mov [%2], ax
            movzx ax, al
            test bl, %3
            jz %%plus
            sub ax, 256
%%plus:     add [%4], ax
%endmacro

; the BIOS's far call: [bp+12] status, [bp+10] X, [bp+8] Y, [bp+6] Z
handler:    push bp
            mov bp, sp
            push ds
            pusha
            xor ax, ax
            mov ds, ax
            inc word [0x7050]
            mov ax, [bp + 12]
            mov [0x7052], ax
            mov bx, ax
            MOVEMENT bp + 10, 0x7054, 0x10, 0x705a  ; X, its sign in status bit 4
            MOVEMENT bp + 8, 0x7056, 0x20, 0x705c   ; Y, bit 5
            mov ax, [bp + 6]
            mov [0x7058], ax
            popa
            pop ds
            pop bp
            retf

            times 510 - ($ - $$) db 0
            dw 0xaa55
