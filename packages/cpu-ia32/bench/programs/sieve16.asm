; Sieve of Eratosthenes over 60,000 bytes in segment 2000h, repeated 10 times (real mode).
        bits 16
N equ 60000
        mov ax, 0x2000
        mov ds, ax
        mov es, ax
        mov bp, 10
again:  xor di, di
        mov cx, N
        mov al, 1
        cld
        rep stosb
        mov bx, 2
outer:  mov ax, bx
        mul bx
        jc done
        cmp ax, N
        jae done
        cmp byte [bx], 0
        je next
        mov si, ax
mark:   mov byte [si], 0
        add si, bx
        jc next
        cmp si, N
        jb mark
next:   inc bx
        jmp outer
done:   dec bp
        jnz again
        hlt
