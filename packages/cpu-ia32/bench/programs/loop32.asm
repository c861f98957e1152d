; Tight loop, 32-bit protected mode: 20,000,000 iterations of DEC/JNZ.
        bits 32
        mov ecx, 20000000
l:      dec ecx
        jnz l
        hlt
