; Virtual-8086 mode: IOPL-sensitive instructions (CLI STI PUSHF POPF INT n) fault with #GP(0)
; when IOPL < 3, IN/OUT follow the TSS I/O bitmap, INT n with IOPL 3 goes through the IDT
; (gate DPL checked), INT3 is not IOPL-sensitive, and faults push a frame with VM set.
%include "common.inc"
idt equ 0x6000

main:
        PRINTS "V86 "
        mov ebx, 0x00020002     ; VM, IOPL 0
        mov eax, v86_iopl0
        mov ecx, .next
        jmp enter_v86
.next:  PUTC '|'
        mov ebx, 0x00023002     ; VM, IOPL 3
        mov eax, v86_iopl3
        mov ecx, .done
        jmp enter_v86
.done:  jmp finish

; eax = v86 IP (segment 0), ebx = EFLAGS image, ecx = where the exit fault continues
enter_v86:
        mov [exit_cont], ecx
        mov [saved_esp], esp
        push dword 0            ; gs
        push dword 0            ; fs
        push dword 0            ; ds
        push dword 0            ; es
        push dword 0            ; ss
        push dword 0x7000       ; sp
        push ebx
        push dword 0            ; cs
        push eax
        iretd

        bits 16
v86_iopl0:
        mov dword [resume], .a
        cli                     ; #GP(0)
.a:     mov dword [resume], .b
        sti                     ; #GP(0)
.b:     mov dword [resume], .c
        pushf                   ; #GP(0)
.c:     mov dword [resume], .d
        popf                    ; #GP(0)
.d:     mov dword [resume], .e
        int 0x21                ; #GP(0)
.e:     mov dword [resume], .f
        in al, 0x80             ; bitmap denies -> #GP(0)
.f:     mov al, 'w'
        out 0xe9, al            ; bitmap allows
        mov al, ' '
        out 0xe9, al
        mov dword [resume], .g
        int3                    ; not IOPL-sensitive; gate 3 has DPL 0 -> #GP(0x1A)
.g:     mov dword [resume], 0
        hlt                     ; #GP(0), exits

v86_iopl3:
        cli
        sti
        cli
        pushf
        pop ax
        shr ax, 12
        and al, 3
        add al, '0'
        out 0xe9, al            ; 3
        mov al, ' '
        out 0xe9, al
        mov dword [resume], .a
        int 0x21                ; through the IDT: vector 0x21 is not a gate -> #GP(0x10A)
.a:     mov dword [resume], 0
        hlt                     ; #GP(0), exits
        bits 32
