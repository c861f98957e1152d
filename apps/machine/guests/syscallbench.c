/* syscallbench: the system-call round trip for bench/kernel.bench.ts. Argument "N R" (default
 * 100000 3): R rounds, each printing "syscallbench: go", making N gettid() calls (int $0x80 into
 * the kernel and IRETD back) in a tight loop, and printing "syscallbench: end"; then
 * "syscallbench: done <calls> calls, <bad> wrong results". Exit status 0, 1 if gettid() ever
 * returned another thread id. */
#include "phantasm.h"

#define DEFAULT_CALLS 100000
#define DEFAULT_ROUNDS 3

/* The number after the first blank of s, or 0. */
static int secondNumber(const char *s) {
  while (*s && *s != ' ') s++;
  return atoi(s);
}

int main(const char *arg, int argLen) {
  int calls = argLen > 0 ? atoi(arg) : DEFAULT_CALLS;
  int rounds = argLen > 0 ? secondNumber(arg) : DEFAULT_ROUNDS;
  if (calls <= 0) calls = DEFAULT_CALLS;
  if (rounds <= 0) rounds = DEFAULT_ROUNDS;
  int tid = sys_gettid();
  unsigned bad = 0;
  for (int r = 0; r < rounds; r++) {
    puts("syscallbench: go\n");
    for (int i = calls; i > 0; i--) {
      if (sys_gettid() != tid) bad++;
    }
    puts("syscallbench: end\n");
  }
  puts("syscallbench: done ");
  print_udec((unsigned)calls * (unsigned)rounds);
  puts(" calls, ");
  print_udec(bad);
  puts(" wrong results\n");
  return bad ? 1 : 0;
}
