; Memory copy loop, 32-bit protected mode with paging: 1 MiB dword by dword, 8 times.
        bits 32
        mov edx, 8
again:  mov esi, 0x100000
        mov edi, 0x200000
        mov ecx, 0x40000
l:      mov eax, [esi]
        mov [edi], eax
        add esi, 4
        add edi, 4
        dec ecx
        jnz l
        dec edx
        jnz again
        hlt
