/*
 * Differential oracle for test/pentium.test.ts: executes CMOVcc and CMPXCHG8B on the host
 * processor with pseudo-random inputs and prints one line per case; the test replays every
 * line on cpu-ia32 and compares registers, memory and flags.
 *
 * Build and run (the test does this): cc -O2 -mno-red-zone -o harness pentium-harness.c
 *   ./harness SEED COUNT
 *
 * The instructions run with 32- and 16-bit operands in the host's own mode (x86-64 or IA-32);
 * their encodings and results are those of 32-bit protected mode (CMOVcc with a 32-bit
 * destination also clears bits 63:32 in 64-bit mode, which the 32-bit results cannot show).
 *
 * Output (all numbers hex; flags masked to OF SF ZF AF PF CF = 8d5h):
 *   cmov SIZE MEM CC FLAGS DST SRC -> DST' FLAGS'        SIZE 16|32, MEM 0 (ECX) | 1 ([ESI])
 *   cx8 LOCK FLAGS EDX EAX ECX EBX LO HI -> EDX' EAX' LO' HI' FLAGS'
 *   cmovfault SIZE CC FLAGS -> FAULTED                   source on an inaccessible page
 *   cx8fault EQUAL -> FAULTED                            destination on a read-only page
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARITH 0x8d5ul

/* splitmix64: a small, well-mixed generator; the seed makes every run reproducible. */
static uint64_t state;
static uint64_t next64(void) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static uint32_t next32(void) { return (uint32_t)(next64() >> 32); }
static unsigned long random_flags(void) { return (next32() & ARITH) | 2; }

/* One function per condition and form; flags are loaded with POPF and read back with PUSHF. */
#define CMOV_FORMS(cc)                                                                          \
  static uint32_t cmov32r_##cc(unsigned long *fl, uint32_t d, uint32_t s) {                   \
    unsigned long f = *fl;                                                                      \
    __asm__ volatile("push %[f]\n\tpopf\n\tcmov" #cc " %[s], %[d]\n\tpushf\n\tpop %[f]"         \
                     : [d] "+r"(d), [f] "+r"(f)                                                 \
                     : [s] "r"(s)                                                               \
                     : "cc", "memory");                                                         \
    *fl = f;                                                                                    \
    return d;                                                                                   \
  }                                                                                             \
  static uint32_t cmov32m_##cc(unsigned long *fl, uint32_t d, const uint32_t *p) {            \
    unsigned long f = *fl;                                                                      \
    __asm__ volatile("push %[f]\n\tpopf\n\tcmov" #cc " (%[p]), %[d]\n\tpushf\n\tpop %[f]"       \
                     : [d] "+r"(d), [f] "+r"(f)                                                 \
                     : [p] "r"(p)                                                               \
                     : "cc", "memory");                                                         \
    *fl = f;                                                                                    \
    return d;                                                                                   \
  }                                                                                             \
  static uint32_t cmov16r_##cc(unsigned long *fl, uint32_t d, uint32_t s) {                   \
    unsigned long f = *fl;                                                                      \
    __asm__ volatile("push %[f]\n\tpopf\n\tcmov" #cc " %w[s], %w[d]\n\tpushf\n\tpop %[f]"       \
                     : [d] "+r"(d), [f] "+r"(f)                                                 \
                     : [s] "r"(s)                                                               \
                     : "cc", "memory");                                                         \
    *fl = f;                                                                                    \
    return d;                                                                                   \
  }                                                                                             \
  static uint32_t cmov16m_##cc(unsigned long *fl, uint32_t d, const uint32_t *p) {            \
    unsigned long f = *fl;                                                                      \
    __asm__ volatile("push %[f]\n\tpopf\n\tcmov" #cc " (%[p]), %w[d]\n\tpushf\n\tpop %[f]"      \
                     : [d] "+r"(d), [f] "+r"(f)                                                 \
                     : [p] "r"(p)                                                               \
                     : "cc", "memory");                                                         \
    *fl = f;                                                                                    \
    return d;                                                                                   \
  }

CMOV_FORMS(o)
CMOV_FORMS(no)
CMOV_FORMS(b)
CMOV_FORMS(ae)
CMOV_FORMS(e)
CMOV_FORMS(ne)
CMOV_FORMS(be)
CMOV_FORMS(a)
CMOV_FORMS(s)
CMOV_FORMS(ns)
CMOV_FORMS(p)
CMOV_FORMS(np)
CMOV_FORMS(l)
CMOV_FORMS(ge)
CMOV_FORMS(le)
CMOV_FORMS(g)

typedef uint32_t (*cmov_reg)(unsigned long *, uint32_t, uint32_t);
typedef uint32_t (*cmov_mem)(unsigned long *, uint32_t, const uint32_t *);
#define ROW(form) \
  { form##_o, form##_no, form##_b, form##_ae, form##_e, form##_ne, form##_be, form##_a, \
    form##_s, form##_ns, form##_p, form##_np, form##_l, form##_ge, form##_le, form##_g }
static const cmov_reg CMOV32R[16] = ROW(cmov32r);
static const cmov_mem CMOV32M[16] = ROW(cmov32m);
static const cmov_reg CMOV16R[16] = ROW(cmov16r);
static const cmov_mem CMOV16M[16] = ROW(cmov16m);

/* CMPXCHG8B (%p) with EDX:EAX and ECX:EBX; returns ZF and the other flags through *fl. */
static void cx8(int lock, unsigned long *fl, uint32_t *edx, uint32_t *eax, uint32_t ecx, uint32_t ebx,
                uint64_t *p) {
  unsigned long f = *fl;
  uint32_t a = *eax, d = *edx;
  if (lock)
    __asm__ volatile("push %[f]\n\tpopf\n\tlock cmpxchg8b (%[p])\n\tpushf\n\tpop %[f]"
                     : "+a"(a), "+d"(d), [f] "+r"(f)
                     : "b"(ebx), "c"(ecx), [p] "r"(p)
                     : "cc", "memory");
  else
    __asm__ volatile("push %[f]\n\tpopf\n\tcmpxchg8b (%[p])\n\tpushf\n\tpop %[f]"
                     : "+a"(a), "+d"(d), [f] "+r"(f)
                     : "b"(ebx), "c"(ecx), [p] "r"(p)
                     : "cc", "memory");
  *fl = f;
  *eax = a;
  *edx = d;
}

static sigjmp_buf escape;
static void on_fault(int sig) {
  (void)sig;
  siglongjmp(escape, 1);
}

/* 1 when CMOVcc from `source` faults (with these flags), 0 when it completes. */
static __attribute__((noinline)) int cmov_faults(int size, int cc, unsigned long flags, const uint32_t *source) {
  if (sigsetjmp(escape, 1) != 0) return 1;
  unsigned long f = flags;
  if (size == 32) CMOV32M[cc](&f, 0, source);
  else CMOV16M[cc](&f, 0, source);
  return 0;
}

/* 1 when LOCK CMPXCHG8B on `dest` faults, with EDX:EAX equal to its contents or not. */
static __attribute__((noinline)) int cx8_faults(int equal, uint64_t *dest) {
  if (sigsetjmp(escape, 1) != 0) return 1;
  unsigned long f = 2;
  uint32_t eax = equal ? (uint32_t)*dest : ~(uint32_t)*dest, edx = (uint32_t)(*dest >> 32);
  cx8(1, &f, &edx, &eax, 0, 0, dest);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SEED COUNT\n", argv[0]);
    return 2;
  }
  state = strtoull(argv[1], 0, 0);
  long count = strtol(argv[2], 0, 0);
  static uint32_t word;
  static uint64_t quad;

  for (long i = 0; i < count; i++) {
    for (int size = 16; size <= 32; size += 16) {
      for (int mem = 0; mem <= 1; mem++) {
        for (int cc = 0; cc < 16; cc++) {
          unsigned long fin = random_flags(), f = fin;
          uint32_t d = next32(), s = next32(), r;
          word = s;
          if (size == 32) r = mem ? CMOV32M[cc](&f, d, &word) : CMOV32R[cc](&f, d, s);
          else r = mem ? CMOV16M[cc](&f, d, &word) : CMOV16R[cc](&f, d, s);
          printf("cmov %d %d %x %lx %x %x -> %x %lx\n", size, mem, cc, fin, d, s, r, f & ARITH);
        }
      }
    }
    for (int lock = 0; lock <= 1; lock++) {
      unsigned long fin = random_flags(), f = fin;
      uint32_t edx = next32(), eax = next32(), ecx = next32(), ebx = next32();
      uint32_t lo = next32(), hi = next32();
      switch (next32() % 4) { /* equal, low half equal, high half equal, random */
        case 0: lo = eax; hi = edx; break;
        case 1: lo = eax; break;
        case 2: hi = edx; break;
        default: break;
      }
      quad = ((uint64_t)hi << 32) | lo;
      uint32_t edx2 = edx, eax2 = eax;
      cx8(lock, &f, &edx2, &eax2, ecx, ebx, &quad);
      printf("cx8 %d %lx %x %x %x %x %x %x -> %x %x %x %x %lx\n", lock, fin, edx, eax, ecx, ebx, lo, hi, edx2,
             eax2, (uint32_t)quad, (uint32_t)(quad >> 32), f & ARITH);
    }
  }

  /* Fault semantics: CMOVcc reads its source whatever the condition; CMPXCHG8B writes its
     destination whatever the comparison. */
  long page = 4096;
  uint8_t *guard = mmap(0, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  uint64_t *ro = mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (guard == MAP_FAILED || ro == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  *ro = 0x1122334455667788ull;
  mprotect(ro, page, PROT_READ);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fault;
  sigaction(SIGSEGV, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  for (int size = 16; size <= 32; size += 16) {
    for (int cc = 0; cc < 16; cc++) {
      unsigned long fin = random_flags();
      printf("cmovfault %d %x %lx -> %d\n", size, cc, fin, cmov_faults(size, cc, fin, (const uint32_t *)guard));
    }
  }
  for (int equal = 0; equal <= 1; equal++) printf("cx8fault %d -> %d\n", equal, cx8_faults(equal, ro));
  return 0;
}
