/* spin: guest workloads for bench/kernel.bench.ts, the same loops as the bare-CPU workloads of
 * packages/cpu-ia32/bench/programs, in inline assembly so that the compiler cannot change them.
 * Argument "WORKLOAD R" (R rounds, default 3; each prints "spin: go" before and "spin: end" after):
 *   loop    loop32.asm: mov ecx, 20000000; dec ecx / jnz (the same instruction bytes)
 *   sieve   sieve32.asm: the sieve of Eratosthenes over 2,000,000 bytes (rep stosb, then the marking
 *           loops), on a palloc block addressed through ESI instead of the absolute 0x200000
 *   fill M  palloc M MiB (kept, never freed) and write one word into each of its pages, once
 *           (fills the object space for the restore measurement); prints "spin: filled M MiB"
 * Exit status 0; 2 when palloc fails or the workload is unknown. */
#include "phantasm.h"

#define SIEVE_BYTES 2000000

static const char *skipWord(const char *s) {
  while (*s && *s != ' ') s++;
  while (*s == ' ') s++;
  return s;
}

static void loop(void) {
  __asm__ volatile("mov $20000000, %%ecx\n"
                   "1: dec %%ecx\n"
                   "jnz 1b\n"
                   :
                   :
                   : "ecx", "cc");
}

static void sieve(volatile unsigned char *buf) {
  unsigned char *edi = (unsigned char *)buf;
  __asm__ volatile("mov $2000000, %%ecx\n"
                   "mov $1, %%al\n"
                   "cld\n"
                   "rep stosb\n"
                   "mov $2, %%ebx\n"
                   "1: mov %%ebx, %%eax\n"
                   "imul %%ebx, %%eax\n"
                   "cmp $2000000, %%eax\n"
                   "jae 4f\n"
                   "cmpb $0, (%%esi,%%ebx)\n"
                   "je 3f\n"
                   "2: movb $0, (%%esi,%%eax)\n"
                   "add %%ebx, %%eax\n"
                   "cmp $2000000, %%eax\n"
                   "jb 2b\n"
                   "3: inc %%ebx\n"
                   "jmp 1b\n"
                   "4:\n"
                   : "+D"(edi)
                   : "S"(buf)
                   : "eax", "ebx", "ecx", "cc", "memory");
}

static void *allocate(size_t bytes) {
  void *p = palloc(bytes);
  if (!p) {
    puts("spin: palloc failed\n");
    exit(2);
  }
  return p;
}

int main(const char *arg, int argLen) {
  (void)argLen;
  const char *rest = skipWord(arg);
  if (strncmp(arg, "fill ", 5) == 0) {
    int mib = atoi(rest);
    if (mib <= 0) mib = 1;
    volatile uint32_t *buf = allocate((size_t)mib << 20);
    uint32_t pages = (uint32_t)mib << 8;
    for (uint32_t p = 0; p < pages; p++) buf[p << 10] = p * 0x9e3779b1u + 1;
    puts("spin: filled ");
    print_dec(mib);
    puts(" MiB\n");
    return 0;
  }
  int isLoop = strncmp(arg, "loop", 4) == 0;
  if (!isLoop && strncmp(arg, "sieve", 5) != 0) {
    puts("spin: unknown workload (loop, sieve, fill M)\n");
    return 2;
  }
  int rounds = atoi(rest);
  if (rounds <= 0) rounds = 3;
  volatile unsigned char *buf = isLoop ? NULL : allocate(SIEVE_BYTES);
  for (int r = 0; r < rounds; r++) {
    puts("spin: go\n");
    if (isLoop) {
      loop();
    } else {
      sieve(buf);
    }
    puts("spin: end\n");
  }
  return 0;
}
