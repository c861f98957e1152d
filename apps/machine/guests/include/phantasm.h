/* The Phantasm guest runtime: system calls, console output, strings, a line reader.
 *
 * The system-call numbers and error codes mirror SYS and ERR in apps/machine/src/kernel/abi.ts
 * exactly; that file is the contract. IA-32 convention: `int $0x80` with EAX = number and the
 * arguments in EBX, ECX, EDX, ESI, EDI; the result comes back in EAX, negative values are -ERR_*.
 * Every other register is kept by the kernel.
 *
 * A program defines `int main(const char *arg, int argLen)`; lib/start.c provides `_start`, which
 * the kernel enters as cdecl `_start(const char *arg, int argLen)` with a zero return address, and
 * calls exit(main(...)). `arg` is NUL-terminated by the runtime (a copy of at most ARG_MAX bytes).
 */
#ifndef PHANTASM_H
#define PHANTASM_H

/* Every symbol is local to the executable: direct calls and PC-relative data, no GOT entries. */
#pragma GCC visibility push(hidden)

typedef unsigned int size_t;
typedef int ssize_t;
typedef unsigned int uintptr_t;
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned char uint8_t;

#define NULL ((void *)0)

/* System-call numbers (abi.ts SYS). */
#define SYS_exit 0
#define SYS_write 1
#define SYS_readKey 2
#define SYS_yield 3
#define SYS_sleep 4
#define SYS_uptime 5
#define SYS_spawn 6
#define SYS_snapshot 7
#define SYS_palloc 8
#define SYS_pfree 9
#define SYS_wait 10
#define SYS_gettid 11

/* Errors, returned negated in EAX (abi.ts ERR). */
#define EINVAL 1  /* bad argument */
#define EFAULT 2  /* a pointer outside the caller's memory (the object space) */
#define EAGAIN 3  /* nothing there yet (non-blocking read) */
#define ENOMEM 4  /* no room (spawn with no free slot) */
#define ENOENT 5  /* no such program */
#define ENOSYS 6  /* unknown system call number */
#define ECHILD 7  /* no such thread */
#define EKILLED 8 /* (wait) the thread was stopped by the kernel for a forbidden action */

/* Largest argument the runtime keeps (longer ones are cut). */
#define ARG_MAX 255

/* Raw system calls. "memory" clobber: the kernel may read or write what the pointers reach. */
static inline int syscall0(int n) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n) : "memory");
  return r;
}
static inline int syscall1(int n, int a) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a) : "memory");
  return r;
}
static inline int syscall2(int n, int a, int b) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b) : "memory");
  return r;
}
static inline int syscall4(int n, int a, int b, int c, int d) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
  return r;
}

/* System calls (abi.ts SYS). */
__attribute__((noreturn)) void exit(int status);
static inline int sys_write(const void *p, size_t n) { return syscall2(SYS_write, (int)p, (int)n); }
static inline int sys_readKey(int nonBlocking) { return syscall1(SYS_readKey, nonBlocking); }
static inline int sys_yield(void) { return syscall0(SYS_yield); }
static inline int sys_sleep(unsigned ms) { return syscall1(SYS_sleep, (int)ms); }
static inline unsigned sys_uptime(void) { return (unsigned)syscall0(SYS_uptime); }
static inline int sys_spawn(const char *name, size_t nameLen, const char *arg, size_t argLen) {
  return syscall4(SYS_spawn, (int)name, (int)nameLen, (int)arg, (int)argLen);
}
static inline int sys_snapshot(void) { return syscall0(SYS_snapshot); }
static inline void *palloc(size_t size) { return (void *)syscall1(SYS_palloc, (int)size); }
static inline int pfree(void *p) { return syscall1(SYS_pfree, (int)p); }
static inline int sys_wait(int tid) { return syscall1(SYS_wait, tid); }
static inline int sys_gettid(void) { return syscall0(SYS_gettid); }

/* Strings and memory (gcc may emit calls to memcpy, memset, memmove and memcmp itself). */
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
/* Decimal digits at the start of s (leading blanks and one '-' allowed); 0 when there are none. */
int atoi(const char *s);

/* Console output, collected per line: a line reaches the console in one write at its '\n', and
 * whatever is pending goes out with flush(), read_line() or exit(). */
void flush(void);
void puts(const char *s); /* no newline added */
void putc(char c);
void print_dec(int v);
void print_udec(unsigned v);
void print_hex(unsigned v); /* 0x and 8 digits */
void print_error(int err);  /* a negative system-call result as its name, e.g. -EFAULT */

/* Reads one line from the keyboard into buf (at most size-1 bytes, NUL-terminated), echoing what
 * is typed; backspace (\b or DEL) erases; Enter ('\r' or '\n') ends the line and echoes "\n".
 * Returns the line's length. */
int read_line(char *buf, int size);

int main(const char *arg, int argLen);

#pragma GCC visibility pop

#endif
