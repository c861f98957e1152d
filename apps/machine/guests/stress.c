/* stress: a memory stress test of the persistent heap. Allocates `arg` MiB (default 24) with
 * palloc and runs three passes over every 32-bit word: 1 writes pattern A, 2 checks A and writes
 * pattern B, 3 checks B. Exit status: 0 without errors, 1 with errors, 2 when palloc fails. */
#include "phantasm.h"

#define DEFAULT_MIB 24
#define MAX_MIB 1024

static uint32_t patternA(uint32_t i) { return (i * 0x9e3779b1u) ^ 0xa5a5a5a5u; }
static uint32_t patternB(uint32_t i) { return ~(i * 0x85ebca6bu) + (i >> 7); }

static unsigned errors;

static void mismatch(volatile uint32_t *buf, uint32_t i, uint32_t want) {
  if (++errors <= 8) {
    puts("stress: word ");
    print_udec(i);
    puts(" at ");
    print_hex((unsigned)(uintptr_t)&buf[i]);
    puts(" is ");
    print_hex(buf[i]);
    puts(", want ");
    print_hex(want);
    putc('\n');
  }
}

static void passDone(int pass, unsigned before) {
  puts("stress: pass ");
  print_dec(pass);
  if (errors == before) {
    puts(" ok\n");
  } else {
    puts(": ");
    print_udec(errors - before);
    puts(" errors\n");
  }
}

int main(const char *arg, int argLen) {
  int mib = argLen > 0 ? atoi(arg) : DEFAULT_MIB;
  if (mib <= 0) mib = DEFAULT_MIB;
  volatile uint32_t *buf = mib > MAX_MIB ? NULL : palloc((size_t)mib << 20);
  if (!buf) {
    puts("stress: palloc failed\n");
    exit(2);
  }
  uint32_t words = (uint32_t)mib << 18;
  unsigned before;

  for (uint32_t i = 0; i < words; i++) buf[i] = patternA(i);
  passDone(1, 0);

  before = errors;
  for (uint32_t i = 0; i < words; i++) {
    if (buf[i] != patternA(i)) mismatch(buf, i, patternA(i));
    buf[i] = patternB(i);
  }
  passDone(2, before);

  before = errors;
  for (uint32_t i = 0; i < words; i++) {
    if (buf[i] != patternB(i)) mismatch(buf, i, patternB(i));
  }
  passDone(3, before);

  pfree((void *)buf);
  puts("stress: done ");
  print_dec(mib);
  puts(" MiB, ");
  print_udec(errors);
  puts(" errors\n");
  return errors ? 1 : 0;
}
