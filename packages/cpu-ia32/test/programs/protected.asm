; Protected mode: descriptor checks, exceptions with error codes, a call gate and ring 3,
; a hardware task switch (CALL to a TSS, IRET back through NT), paging faults with CR2.
; Expected output: protected.expected.txt (reasoned from the Intel SDM; checked with QEMU).
%include "common.inc"
idt equ 0x6000

main:
        PRINTS "PM "
        ; --- segment loads: limit, type, presence, null selector --------------------------
        TRY .a
        mov ax, 0x100           ; beyond the GDT limit -> #GP(0x100)
        mov ds, ax
.a:     TRY .b
        mov ax, 0x38            ; read-only data into SS -> #GP(0x38)
        mov ss, ax
.b:     TRY .c
        mov ax, 0x40            ; not present -> #NP(0x40)
        mov es, ax
.c:     TRY .d
        mov ax, 0x50            ; limit 0xFFF: a dword at 0xFFE -> #GP(0)
        mov es, ax
        mov eax, [es:0xffe]
.d:     mov ax, 0x10
        mov es, ax
        TRY .e
        xor ax, ax
        mov fs, ax              ; a null selector loads fine ...
        mov eax, [fs:0]         ; ... but using it -> #GP(0)
.e:     TRY .f
        jmp 0x10:.f             ; far jump to a data segment -> #GP(0x10)
.f:     TRY .g
        ud2                     ; -> #UD
.g:     TRY .h
        xor edx, edx
        mov eax, 1
        xor ecx, ecx
        div ecx                 ; -> #DE
.h:     TRY .i
        mov eax, 0x7fffffff
        add eax, 1
        into                    ; -> #OF (trap)
.i:     TRY .j
        mov ax, 0x2b            ; TSS selector into a data segment register -> #GP(0x28)
        mov gs, ax
.j:     mov dword [resume], 0
        ; LAR / LSL / VERR / VERW
        mov ecx, 0x18
        lar eax, ecx
        call print_hex          ; 00C0FA00 (LAR masks the limit bits)
        PUTC ' '
        mov ecx, 0x50
        lsl eax, ecx
        call print_hex          ; 00000FFF
        PUTC ' '
        mov cx, 0x38
        verw cx
        setz al
        call print_hex2         ; 00 (read-only)
        verr cx
        setz al
        call print_hex2         ; 01
        PUTC ' '
        ; --- hardware task switch ---------------------------------------------------------
        mov dword [tss2 + 0x20], task2
        mov dword [tss2 + 0x24], 0x2
        mov dword [tss2 + 0x38], 0x70000
        mov word [tss2 + 0x4c], 0x08
        mov word [tss2 + 0x48], 0x10
        mov word [tss2 + 0x50], 0x10
        mov word [tss2 + 0x54], 0x10
        mov word [tss2 + 0x58], 0x10
        mov word [tss2 + 0x5c], 0x10
        mov eax, 0x12345678
        call 0x30:0
        ; back in the main task: TR, the callee's busy bit cleared by IRET, eax restored
        str ax
        call print_hex2         ; 28
        PUTC '/'
        mov al, [gdt + 0x30 + 5]
        call print_hex2         ; 89
        PUTC '/'
        mov eax, [tss2 + 0x28]  ; the callee's saved EAX
        call print_hex          ; 0000BEEF
        PUTC ' '
        ; a task gate in the IDT: INT 40h switches to the second task again (nested, NT set)
        mov word [idt + 0x40 * 8 + 2], 0x30
        mov word [idt + 0x40 * 8 + 4], 0x8500
        mov eax, 0x11111111
        int 0x40
        str ax
        call print_hex2         ; 28
        PUTC '/'
        mov al, [gdt + 0x30 + 5]
        call print_hex2         ; 89
        PUTC ' '
        ; --- ring 3 and the call gate --------------------------------------------------------
        mov eax, ring3
        mov ebx, .r3done
        jmp enter_ring3
.r3done:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        ; --- paging ---------------------------------------------------------------------------
        mov edi, 0x20000
        mov ecx, 1024
        xor eax, eax
        rep stosd
        mov dword [0x20000], 0x21007
        mov edi, 0x21000
        mov eax, 7
        mov ecx, 1024
.pt:    stosd
        add eax, 0x1000
        loop .pt
        mov dword [0x21000 + 0x300 * 4], 0              ; 0x300000 not present
        mov dword [0x21000 + 0x301 * 4], 0x301005       ; user, read-only
        mov dword [0x21000 + 0x302 * 4], 0x302003       ; supervisor, writable
        mov dword [0x305000], 0xabcd
        mov eax, 0x20000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .pg
.pg:    TRY .p1
        mov eax, [0x300000]     ; #PF 0 / 00300000
.p1:    TRY .p2
        mov dword [0x300004], 1 ; #PF 2 / 00300004
.p2:    mov dword [resume], 0
        mov dword [0x301000], 0x1234    ; CR0.WP = 0: supervisor writes ignore R/W
        mov eax, [0x301000]
        call print_hex          ; 00001234
        PUTC ' '
        mov eax, cr0
        or eax, 0x10000
        mov cr0, eax
        TRY .p3
        mov dword [0x301000], 1 ; #PF 3 / 00301000
.p3:    mov dword [resume], 0
        ; accessed and dirty bits
        mov eax, [0x21000 + 0x303 * 4]
        and eax, 0x60
        call print_hex2         ; 00
        mov eax, [0x303000]
        mov eax, [0x21000 + 0x303 * 4]
        and eax, 0x60
        call print_hex2         ; 20
        mov dword [0x303000], 5
        mov eax, [0x21000 + 0x303 * 4]
        and eax, 0x60
        call print_hex2         ; 60
        PUTC ' '
        ; INVLPG after a PTE change
        mov eax, [0x304000]
        mov dword [0x21000 + 0x304 * 4], 0x305007
        invlpg [0x304000]
        mov eax, [0x304000]
        call print_hex          ; 0000ABCD
        PUTC ' '
        mov eax, ring3_paging
        mov ebx, .r3pdone
        jmp enter_ring3
.r3pdone:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        jmp finish

task2:  ; entered by CALL 0x30:0 with NT set and the back link naming the main task
        PUTC 'T'
        mov ax, [tss2]
        call print_hex2         ; 28
        PUTC '/'
        pushfd
        pop eax
        shr eax, 14
        and eax, 1
        call print_hex2         ; 01 (NT)
        PUTC '/'
        str ax
        call print_hex2         ; 30
        PUTC ' '
        mov eax, 0xbeef
        iretd
        jmp task2

ring3:  ; IRET to ring 3 nulled DS/ES (DPL 0 < CPL 3): load the ring-3 data segment
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        TRY .a
        cli                     ; IOPL 0 -> #GP(0)
.a:     TRY .b
        in al, 0x80             ; port denied by the TSS bitmap -> #GP(0)
.b:     mov dword [resume], 0
        mov al, 'u'
        out 0xe9, al            ; port 0xE9 allowed by the bitmap
        PUTC ' '
        TRY .c
        mov ax, 0x10            ; DPL 0 data -> #GP(0x10)
        mov ds, ax
.c:     TRY .d
        mov eax, cr0            ; privileged -> #GP(0)
.d:     TRY .e
        hlt                     ; privileged -> #GP(0)
.e:     mov dword [resume], 0
        call 0x4b:0             ; call gate to ring 0 and back
        mov eax, cs
        and al, 3
        add al, '0'
        out 0xe9, al            ; 3: back at CPL 3
        PUTC ' '
        int 0x80

ring3_paging:
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        TRY .a
        mov eax, [0x300000]     ; #PF 4 / 00300000
.a:     TRY .b
        mov dword [0x301008], 1 ; #PF 7 / 00301008
.b:     TRY .c
        mov eax, [0x302000]     ; #PF 5 / 00302000
.c:     mov dword [resume], 0
        mov eax, [0x301000]     ; user read of a read-only user page is fine
        cmp eax, 0x1234
        jne .bad
        mov al, 'r'
        out 0xe9, al
.bad:   PUTC ' '
        int 0x80
