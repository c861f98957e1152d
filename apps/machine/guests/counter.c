/* counter: a persistent counter. `count` lives in the program image, which is in the object space,
 * so it survives power loss: after a restore the count goes on from the last snapshot.
 * Argument: the pause between lines in milliseconds (default 1000). */
#include "phantasm.h"

unsigned long count;

int main(const char *arg, int argLen) {
  unsigned ms = argLen > 0 ? (unsigned)atoi(arg) : 1000;
  for (;;) {
    count++;
    puts("counter: ");
    print_udec(count);
    putc('\n');
    sys_sleep(ms);
  }
}
