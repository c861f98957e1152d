/* The Phantasm guest runtime: exit, strings, line-buffered console output, the line reader. */
#include "phantasm.h"

/* Console output is collected per line so that a line reaches the console in one write, whole
 * even when other threads print at the same time. The buffer lives in the program image and so
 * in the object space: a snapshot keeps it together with the registers. */
static char outBuf[128];
static unsigned outLen;

void flush(void) {
  unsigned done = 0;
  while (done < outLen) {
    int n = sys_write(outBuf + done, outLen - done);
    if (n <= 0) break; /* the console refused: drop the rest */
    done += (unsigned)n;
  }
  outLen = 0;
}

void putc(char c) {
  if (outLen == sizeof outBuf) flush();
  outBuf[outLen++] = c;
  if (c == '\n') flush();
}

void puts(const char *s) {
  while (*s) putc(*s++);
}

void print_udec(unsigned v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) putc(digits[--n]);
}

void print_dec(int v) {
  if (v < 0) {
    putc('-');
    print_udec(0u - (unsigned)v);
  } else {
    print_udec((unsigned)v);
  }
}

void print_hex(unsigned v) {
  puts("0x");
  for (int shift = 28; shift >= 0; shift -= 4) putc("0123456789abcdef"[(v >> shift) & 15]);
}

void print_error(int err) {
  static const char *const names[] = {"0",      "-EINVAL", "-EFAULT", "-EAGAIN", "-ENOMEM",
                                      "-ENOENT", "-ENOSYS", "-ECHILD", "-EKILLED"};
  if (err <= 0 && err >= -EKILLED) {
    puts(names[-err]);
  } else {
    print_dec(err);
  }
}

__attribute__((noreturn)) void exit(int status) {
  flush();
  for (;;) syscall1(SYS_exit, status);
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
    if (!*a) break;
  }
  return 0;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++) {
    if (*p != *q) return *p - *q;
  }
  return 0;
}

void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

int atoi(const char *s) {
  int sign = 1, v = 0;
  while (*s == ' ' || *s == '\t') s++;
  if (*s == '-') sign = -1, s++;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return sign * v;
}

int read_line(char *buf, int size) {
  int len = 0;
  flush(); /* a prompt without a newline */
  for (;;) {
    int c = sys_readKey(0);
    if (c == -EAGAIN) {
      sys_yield();
      continue;
    }
    if (c < 0) break; /* no keyboard: end the line here */
    if (c == '\r' || c == '\n') {
      sys_write("\n", 1);
      break;
    }
    if (c == '\b' || c == 0x7f) {
      if (len > 0) {
        len--;
        sys_write("\b \b", 3);
      }
      continue;
    }
    if (c >= ' ' && c < 0x7f && len < size - 1) {
      char ch = (char)c;
      buf[len++] = ch;
      sys_write(&ch, 1);
    }
  }
  buf[len] = 0;
  return len;
}
