/*
 * x87 oracle for test/x87.test.ts: runs x87 instruction sequences on the host processor from
 * a given FPU state and prints the state they leave.
 *
 * Build and run (the test does this): cc -O1 -o x87-harness x87-harness.c; ./x87-harness < cases
 *
 * Input, one case per line (hex):  IMAGE MEM AX FLAGS CODE
 *   IMAGE  the 108-byte FRSTOR image (32-bit protected layout, as FRSTOR uses in 64-bit mode)
 *   MEM    64 bytes addressed by the sequence through [rsi] / [rsi+disp8] (ModRM rm=110:
 *          [esi] in 32-bit code — the encodings are the same in both modes)
 *   AX     the initial AX (FNSTSW AX writes it), FLAGS the initial arithmetic flags (FCMOVcc)
 *   CODE   the instruction bytes
 * The harness assembles  frstor [rdi]; mov rax,[rcx]; push [rdx]; popf; CODE;
 *   mov [rcx],rax; pushf; pop [rdx]; fnsave [rdi]; ret  in an executable page and calls it.
 *
 * Output, one line per case:
 *   ok CW SW EMPTY ST0..ST7 MEM AX FLAGS      state after the sequence (FNSAVE)
 *   mf OFFSET CW SW EMPTY ST0..ST7 MEM        #MF (SIGFPE) at CODE+OFFSET: the state there
 * EMPTY is the mask of empty physical registers; ST0..ST7 the raw 80-bit registers in stack order.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "hex-input.h"

static uint8_t *page;
static int prologue;
static sigjmp_buf escape;
static volatile uintptr_t fault_rip;
static struct _libc_fpstate fault_fp;

static void on_fpe(int sig, siginfo_t *info, void *ctx) {
  (void)sig;
  (void)info;
  ucontext_t *uc = ctx;
  fault_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  memcpy(&fault_fp, uc->uc_mcontext.fpregs, sizeof fault_fp);
  siglongjmp(escape, 1);
}


static void print_hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02X", p[i]);
}

/* A register as 20 hex digits: sign+exponent, then the significand (most significant first). */
static void print_reg(const uint8_t *r) {
  for (int i = 9; i >= 0; i--) printf("%02X", r[i]);
}

int main(void) {
  page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return perror("mmap"), 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fpe;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGFPE, &sa, NULL);
  static char line[1 << 16];
  static uint8_t image[108], mem[64], code[2048];
  static const uint8_t head[] = {0xdd, 0x27, 0x48, 0x8b, 0x01, 0xff, 0x32, 0x9d};
  static const uint8_t tail[] = {0x48, 0x89, 0x01, 0x9c, 0x8f, 0x02, 0xdd, 0x37, 0xc3};
  prologue = sizeof head;
  while (fgets(line, sizeof line, stdin)) {
    char a[256], b[160], c[32], d[32], e[sizeof line];
    if (sscanf(line, "%255s %159s %31s %31s %65000s", a, b, c, d, e) != 5) return fprintf(stderr, "bad input\n"), 2;
    int n;
    if (unhex(a, image, sizeof image) != 108 || unhex(b, mem, sizeof mem) != 64) return fprintf(stderr, "bad image\n"), 2;
    if ((n = unhex(e, code, sizeof code)) < 0) return fprintf(stderr, "bad code\n"), 2;
    uint64_t ax = strtoull(c, NULL, 16), flags = (strtoull(d, NULL, 16) & 0x8d5) | 0x202;
    memcpy(page, head, sizeof head);
    memcpy(page + sizeof head, code, n);
    memcpy(page + sizeof head + n, tail, sizeof tail);
    __builtin___clear_cache((char *)page, (char *)page + 4096);
    void (*fn)(void *, void *, uint64_t *, uint64_t *) = (void *)page;
    if (sigsetjmp(escape, 1) == 0) {
      register void *rsi __asm__("rsi") = mem;
      __asm__ volatile("call *%[fn]"
                       : "+r"(rsi)
                       : [fn] "r"(fn), "D"(image), "d"(&flags), "c"(&ax)
                       : "rax", "memory", "cc", "r8", "r9", "r10", "r11");
      uint16_t cw = image[0] | image[1] << 8, sw = image[4] | image[5] << 8, tw = image[8] | image[9] << 8;
      int empty = 0;
      for (int p = 0; p < 8; p++)
        if (((tw >> (2 * p)) & 3) == 3) empty |= 1 << p;
      printf("ok %04X %04X %02X", cw, sw, empty);
      for (int i = 0; i < 8; i++) putchar(' '), print_reg(image + 28 + 10 * i);
      putchar(' ');
      print_hex(mem, 64);
      printf(" %04X %03X\n", (unsigned)(ax & 0xffff), (unsigned)(flags & 0x8d5));
    } else {
      __asm__ volatile("fninit");
      int empty = 0;
      for (int p = 0; p < 8; p++)
        if (!((fault_fp.ftw >> p) & 1)) empty |= 1 << p;
      printf("mf %X %04X %04X %02X", (unsigned)(fault_rip - (uintptr_t)page - prologue), fault_fp.cwd, fault_fp.swd,
             empty);
      for (int i = 0; i < 8; i++) putchar(' '), print_reg((const uint8_t *)&fault_fp._st[i]);
      putchar(' ');
      print_hex(mem, 64);
      putchar('\n');
    }
    fflush(stdout);
  }
  return 0;
}
