/* Shared by the host-processor harnesses: their input lines carry byte blocks as hex. */
#ifndef HEX_INPUT_H
#define HEX_INPUT_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Decode the hex string `s` into `out` (at most `max` bytes); the byte count, or -1. */
static int unhex(const char *s, uint8_t *out, size_t max) {
  size_t n = strlen(s) / 2;
  if (n > max) return -1;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1) return -1;
    out[i] = (uint8_t)v;
  }
  return (int)n;
}

#endif
