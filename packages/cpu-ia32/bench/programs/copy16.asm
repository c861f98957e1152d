; Memory copy loop, real mode: 32 KiB word by word from 3000:0 to 4000:0, 100 times.
        bits 16
        mov ax, 0x3000
        mov ds, ax
        mov ax, 0x4000
        mov es, ax
        mov dx, 100
again:  xor si, si
        xor di, di
        mov cx, 0x4000
l:      mov ax, [si]
        mov [es:di], ax
        add si, 2
        add di, 2
        dec cx
        jnz l
        dec dx
        jnz again
        hlt
