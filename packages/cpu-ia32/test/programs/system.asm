; System instructions and less common transfers: SGDT/SIDT/SMSW, CR0.TS/EM/MP with x87 and
; WAIT (#NM), BOUND (#BR), ENTER with nesting, a 16-bit interrupt gate frame, JMP-based task
; switches there and back (busy bits), and a v86 INT n through a DPL-3 gate with IOPL 3 that
; enters the ring-0 handler and IRETDs back to v86 mode.
; Expected output: system.expected.txt (SDM; checked with QEMU).
%include "common.inc"
idt equ 0x6000

main:
        PRINTS "SYS "
        mov al, 0xff
        out 0x21, al
        out 0xa1, al
        sgdt [scratch]
        movzx eax, word [scratch]
        call print_hex          ; GDT limit
        mov eax, [scratch + 2]
        call print_hex          ; GDT base
        PUTC ' '
        sidt [scratch]
        movzx eax, word [scratch]
        call print_hex          ; 00000407
        PUTC ' '
        smsw ax
        and eax, 0xf
        call print_hex2         ; 01 (PE)
        PUTC ' '
        ; --- x87 availability by CR0 bits ---
        mov eax, cr0
        and eax, ~0xe           ; MP = EM = TS = 0
        mov cr0, eax
        TRY .f1
        or eax, 0x8             ; TS
        mov cr0, eax
        fninit                  ; #NM
.f1:    TRY .f2
        wait                    ; MP = 0: WAIT ignores TS
        PUTC 'w'
.f2:    TRY .f3
        mov eax, cr0
        or eax, 0x2             ; MP
        mov cr0, eax
        wait                    ; MP and TS: #NM
.f3:    clts
        TRY .f4
        mov eax, cr0
        or eax, 0x4             ; EM
        mov cr0, eax
        fld1                    ; EM: #NM
.f4:    mov eax, cr0
        and eax, ~0xe
        mov cr0, eax
        mov dword [resume], 0
        PUTC ' '
        ; --- BOUND ---
        mov dword [scratch], 10
        mov dword [scratch + 4], 20
        mov eax, 15
        bound eax, [scratch]
        PUTC 'b'
        TRY .b1
        mov eax, 21
        bound eax, [scratch]    ; #BR
.b1:    mov dword [resume], 0
        PUTC ' '
        ; --- ENTER with nesting level 3 ---
        push ebp
        mov ebp, 0x5f000
        mov dword [0x5effc], 0xaaaa0001
        mov dword [0x5eff8], 0xaaaa0002
        mov esi, esp
        mov esp, 0x5f000 - 0x100
        enter 8, 3
        mov eax, [esp + 8 + 0]  ; frame pointer copy (the new EBP)
        sub eax, ebp
        call print_hex2         ; 00
        mov eax, [ebp - 4]
        call print_hex          ; AAAA0001
        mov eax, [ebp - 8]
        call print_hex          ; AAAA0002
        mov eax, [ebp - 12]
        sub eax, ebp
        call print_hex2         ; 00 (the new frame pointer itself)
        mov eax, ebp
        sub eax, esp
        call print_hex2         ; 14 (3 pointers + 8 bytes)
        mov esp, esi
        pop ebp
        PUTC ' '
        ; --- a 16-bit interrupt gate: 16-bit frame ---
        mov eax, gate16_isr
        mov ecx, 0x43
        mov edx, 0x8600
        call set_gate
        mov esi, esp
        int 0x43
        PUTC ' '
        ; --- JMP task switches: to the second task and back ---
        mov dword [tss2 + 0x20], task2
        mov dword [tss2 + 0x24], 0x2
        mov dword [tss2 + 0x38], 0x70000
        mov word [tss2 + 0x4c], 0x08
        mov word [tss2 + 0x48], 0x10
        mov word [tss2 + 0x50], 0x10
        mov word [tss2 + 0x54], 0x10
        mov word [tss2 + 0x58], 0x10
        mov word [tss2 + 0x5c], 0x10
        jmp 0x30:0
back_from_task2:
        str ax
        call print_hex2         ; 28
        mov al, [gdt + 0x28 + 5]
        call print_hex2         ; 8B (busy again)
        mov al, [gdt + 0x30 + 5]
        call print_hex2         ; 89 (left by JMP: not busy)
        pushfd
        pop eax
        shr eax, 14
        and al, 1
        call print_hex2         ; 00 (JMP does not nest)
        PUTC ' '
        ; --- v86 with IOPL 3: INT 30h through a DPL-3 interrupt gate and IRETD back ---
        mov eax, v86_isr
        mov ecx, 0x30
        mov edx, 0xee00
        call set_gate
        mov [saved_esp], esp
        mov dword [exit_cont], .v86done
        push dword 0x0000       ; gs
        push dword 0x0000       ; fs
        push dword 0x0000       ; ds
        push dword 0x0000       ; es
        push dword 0x0000       ; ss
        push dword 0x7000       ; sp
        push dword 0x00023002   ; VM, IOPL 3
        push dword 0x0000       ; cs
        push dword v86_code
        iretd
.v86done:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        jmp finish

gate16_isr:  ; entered through a 16-bit gate: IP, CS, FLAGS as words
        PUTC 'i'
        mov eax, esi
        sub eax, esp
        call print_hex2         ; 06
        movzx eax, word [esp + 2]
        call print_hex2         ; 08
        o16 iret

task2:  PUTC 't'
        str ax
        call print_hex2         ; 30
        mov al, [gdt + 0x28 + 5]
        call print_hex2         ; 89 (the main task was left by JMP)
        mov al, [gdt + 0x30 + 5]
        call print_hex2         ; 8B
        PUTC ' '
        jmp 0x28:0              ; back: resumes after the JMP in the main task
        jmp task2

v86_isr:  ; ring 0, from v86: frame EIP CS EFLAGS ESP SS ES DS FS GS
        mov ax, 0x10
        mov ds, ax
        PUTC 'V'
        mov eax, [esp + 8]
        shr eax, 17
        and al, 1
        call print_hex2         ; 01 (VM in the image)
        mov eax, [esp + 4]
        call print_hex2         ; 00 (v86 CS)
        mov eax, [esp + 12]
        call print_hex          ; 00006FFE (SP before the interrupt)
        mov ax, ds
        call print_hex2         ; 10
        PUTC ' '
        iretd                   ; back to v86 mode (DS is reloaded from the frame)

        bits 16
v86_code:
        mov ax, 0x1234
        push ax
        int 0x30
        pop bx
        mov al, 'r'
        out 0xe9, al            ; port 0xE9 is allowed by the TSS bitmap
        cmp bx, 0x1234
        jne .bad
        mov al, 'k'
        out 0xe9, al
.bad:   mov al, ' '
        out 0xe9, al
        mov dword [resume], 0
        hlt                     ; #GP(0) -> exit
        bits 32

scratch: times 16 db 0
