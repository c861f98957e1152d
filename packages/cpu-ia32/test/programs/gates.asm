; Gates and segments beyond protected.asm: an LDT (LLDT, SLDT, LDT selectors and limits),
; LAR/LSL on system descriptors, trap gate vs interrupt gate (IF), a 16-bit call gate from
; ring 3 copying two word parameters and RETF 4 back to the outer level, a conforming code
; segment called from ring 3 (CPL stays 3), ARPL, and #SS(0) on stack-segment limit faults.
; Expected output: gates.expected.txt (SDM; checked with QEMU, see README for its deviations).
%define HAVE_GATE16
%include "common.inc"
idt equ 0x6000

main:
        PRINTS "GATES "
        mov al, 0xff            ; mask the PICs: no timer interrupts in QEMU
        out 0x21, al
        out 0xa1, al
        ; --- LDT ---------------------------------------------------------------------------
        mov ax, 0x58
        lldt ax
        sldt ax
        call print_hex2         ; 58
        PUTC ' '
        mov ax, 0x07            ; LDT entry 0, RPL 3, DPL 3 data
        mov ds, ax
        mov eax, [0x7c00]
        mov ax, 0x10
        mov ds, ax
        TRY .l1
        mov ax, 0x0c            ; LDT entry 1: limit 0xFF
        mov fs, ax
        mov eax, [fs:0xfd]      ; dword at 0xFD..0x100 -> #GP(0)
.l1:    TRY .l2
        mov ax, 0x14            ; LDT entry 2: beyond the LDT limit -> #GP(0x14)
        mov fs, ax
.l2:    mov dword [resume], 0
        mov ecx, 0x60
        lar eax, ecx
        call print_hex          ; 0000E400 (call gate, DPL 3)
        PUTC ' '
        mov ecx, 0x58
        lsl eax, ecx
        call print_hex          ; 0000000F (LDT limit)
        PUTC ' '
        ; ARPL raises the RPL of a selector to that of another
        mov ax, 0x10
        mov bx, 0x23
        arpl ax, bx
        setz cl
        call print_hex2         ; 13
        mov al, cl
        call print_hex2         ; 01
        PUTC ' '
        ; --- trap gate vs interrupt gate -----------------------------------------------------
        mov eax, flag_isr
        mov ecx, 0x41
        mov edx, 0x8f00         ; trap gate
        call set_gate
        mov eax, flag_isr       ; set_gate consumed eax
        mov ecx, 0x42
        mov edx, 0x8e00         ; interrupt gate
        call set_gate
        sti
        int 0x41                ; prints 1: IF stays set
        int 0x42                ; prints 0: IF cleared
        cli
        PUTC ' '
        ; --- ring 3 ----------------------------------------------------------------------------
        mov dword [ring3_esp], 0xf000   ; 16-bit gates save only SP: keep the ring-3 stack below 64 KiB
        mov eax, ring3
        mov ebx, .back
        jmp enter_ring3
.back:  mov ax, 0x10
        mov ds, ax
        mov es, ax
        jmp finish

flag_isr:
        pushfd
        pop eax
        shr eax, 9
        and al, 1
        add al, '0'
        out 0xe9, al
        iretd

ring3:
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        ; 16-bit call gate with two word parameters
        mov ebp, esp
        push word 0x1234
        push word 0x5678
        call 0x63:0
        sub ebp, esp
        mov al, 'p'
        jz .ok
        mov al, '!'
.ok:    out 0xe9, al            ; p: RETF 4 removed the parameters from the outer stack
        mov al, ' '
        out 0xe9, al
        ; conforming code segment: entered at CPL 3
        call 0x68:conforming
        ; #SS(0) from a stack-segment limit violation
        TRY .s1
        mov ax, 0x73            ; DPL 3 data, limit 0xFFF
        mov ss, ax
        mov esp, 0x2000
        push eax                ; ESP-4 = 0x1FFC > limit -> #SS(0)
.s1:    mov ax, 0x23
        mov ss, ax
        mov esp, 0xe000
        TRY .s2
        mov ax, 0x73
        mov fs, ax
        mov eax, [fs:0xffe]     ; through FS: #GP(0)
.s2:    mov dword [resume], 0
        int 0x80

; ring 0 through the 16-bit gate: IP, CS, two parameters, SP, SS as 16-bit words
gate16_target:
        PUTC 'g'
        movzx eax, word [esp + 2]
        call print_hex2         ; 1B (caller CS)
        PUTC '/'
        movzx eax, word [esp + 4]
        call print_hex          ; 00005678 (the parameter the caller pushed last)
        PUTC '/'
        movzx eax, word [esp + 6]
        call print_hex          ; 00001234
        PUTC '/'
        movzx eax, word [esp + 10]
        call print_hex2         ; 23 (caller SS)
        PUTC ' '
        o16 retf 4

conforming:
        mov eax, cs
        and al, 3
        add al, '0'
        mov ah, al
        mov al, 'c'
        out 0xe9, al
        mov al, ah
        out 0xe9, al            ; c3
        mov al, ' '
        out 0xe9, al
        retf
