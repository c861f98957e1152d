; Tight loop, real mode: 200 x 65535 iterations of DEC/JNZ.
        bits 16
        mov dx, 200
outer:  mov cx, 0xffff
inner:  dec cx
        jnz inner
        dec dx
        jnz outer
        hlt
