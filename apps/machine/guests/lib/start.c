/* The entry point. The kernel enters `_start` as cdecl `_start(const char *arg, int argLen)` with a
 * zero return address (abi.ts: slotBase, the stack at the slot top), so it must never return. The
 * argument is copied into the program image, NUL-terminated, and main's result goes to exit. */
#include "phantasm.h"

static char argCopy[ARG_MAX + 1];

__attribute__((noreturn, used, section(".text.start"))) void _start(const char *arg, int argLen) {
  int n = arg ? argLen : 0;
  if (n < 0) n = 0;
  if (n > ARG_MAX) n = ARG_MAX;
  memcpy(argCopy, arg, (size_t)n);
  argCopy[n] = 0;
  exit(main(argCopy, n));
}
