; v86 reference, 32-bit protected mode with paging: boot sector that enters flat ring-0
; protected mode, identity-maps the first 8 MiB through 4 KiB pages (page directory at 0x1000,
; tables at 0x2000/0x3000, as cpu.bench.ts does), copies the payload (sector bytes 0x100..0x1fd,
; built by v86-reference.ts around one bench/programs/*32.bin workload) to 0x10000 and jumps there.
        bits 16
        org 0x7c00
%include "boot-prologue.inc"
        lgdt [gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm
        bits 32
pm:     mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, 0x90000
        cld
        mov edi, 0x1000         ; page directory: two tables, rest not present
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [0x1000], 0x2003
        mov dword [0x1004], 0x3003
        mov edi, 0x2000         ; 2048 PTEs: identity, present + writable
        mov eax, 3
        mov ecx, 2048
fill:   stosd
        add eax, 0x1000
        loop fill
        mov esi, 0x7d00
        mov edi, 0x10000
        mov ecx, 254
        rep movsb
        mov eax, 0x1000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        push dword 3            ; repetitions, popped and counted down by the payload
        mov eax, 0x10000
        jmp eax
        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff   ; 0x08: code, flat, 32-bit
        dq 0x00cf92000000ffff   ; 0x10: data, flat
gdtr:   dw 23
        dd gdt
        times 0x100 - ($ - $$) db 0
