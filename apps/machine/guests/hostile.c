/* hostile: checks that the kernel stops a guest that does what ring 3 must not do.
 * Without an argument it is the parent: it spawns `hostile K` for every action K, waits for each
 * and expects -EKILLED; then it checks in-process that system calls refuse pointers outside the
 * object space with -EFAULT. With an argument K it is a child and performs action K, which the
 * kernel must stop; printing "survived" means it did not. */
#include "phantasm.h"

#define ACTIONS 10

static const char *const names[ACTIONS + 1] = {
    "",
    "read kernel memory at 0x00100000",
    "write through a NULL pointer",
    "cli",
    "hlt",
    "mov to cr3",
    "out to port 0x80",
    "read 0xC0000000 above the object space",
    "divide by zero",
    "int 0x21",
    "jump to kernel code at 0x00100000",
};

/* The actions. Inline assembly, so that the compiler can neither drop nor rewrite them. */
static void act(int k) {
  unsigned v = 0;
  switch (k) {
  case 1:
    __asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(0x00100000u) : "memory");
    break;
  case 2:
    __asm__ volatile("movl $0x2a, (%0)" : : "r"(0u) : "memory");
    break;
  case 3:
    __asm__ volatile("cli");
    break;
  case 4:
    __asm__ volatile("hlt");
    break;
  case 5:
    __asm__ volatile("movl %0, %%cr3" : : "r"(0u) : "memory");
    break;
  case 6:
    __asm__ volatile("outb %%al, $0x80" : : "a"(0));
    break;
  case 7:
    __asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(0xc0000000u) : "memory");
    break;
  case 8:
    __asm__ volatile("divl %2" : "=a"(v) : "a"(1u), "c"(0u), "d"(0u));
    break;
  case 9:
    __asm__ volatile("int $0x21" : : : "memory");
    break;
  case 10:
    __asm__ volatile("jmp *%0" : : "r"(0x00100000u) : "memory");
    break;
  }
  (void)v;
}

static int child(const char *arg) {
  int k = atoi(arg);
  if (k < 1 || k > ACTIONS) {
    puts("hostile: no action ");
    puts(arg);
    putc('\n');
    return 2;
  }
  act(k);
  puts("hostile: child ");
  print_dec(k);
  puts(" survived\n");
  return 0;
}

/* One bad-pointer check: the result must be -EFAULT. */
static int refused(const char *what, int result) {
  puts("hostile: ");
  puts(what);
  puts(" -> ");
  print_error(result);
  puts(result == -EFAULT ? " refused\n" : " NOT REFUSED\n");
  return result == -EFAULT;
}

static int parent(void) {
  int stopped = 0;
  for (int k = 1; k <= ACTIONS; k++) {
    char arg[4];
    int n = 0;
    if (k >= 10) arg[n++] = (char)('0' + k / 10);
    arg[n++] = (char)('0' + k % 10);
    arg[n] = 0;
    puts("hostile: test ");
    print_dec(k);
    puts(" (");
    puts(names[k]);
    puts(") -> ");
    int tid = sys_spawn("hostile", 7, arg, (size_t)n);
    if (tid < 0) {
      puts("spawn failed (");
      print_error(tid);
      puts(")\n");
      continue;
    }
    int status = sys_wait(tid);
    if (status == -EKILLED) {
      stopped++;
      puts("stopped\n");
    } else {
      puts("NOT STOPPED (status ");
      print_dec(status);
      puts(")\n");
    }
  }

  int pointers = 0;
  pointers += refused("write(0x00100000, 16)", sys_write((const void *)0x00100000, 16));
  pointers += refused("write(NULL, 1)", sys_write(NULL, 1));
  pointers += refused("write(0xBFFFFFF8, 16) across the object space end", sys_write((const void *)0xbffffff8, 16));
  pointers += refused("spawn(name at 0x00100000)", sys_spawn((const char *)0x00100000, 7, "", 0));

  puts("hostile: ");
  print_dec(pointers);
  puts(" of 4 bad pointers refused\n");
  if (stopped == ACTIONS) {
    puts("hostile: all ");
    print_dec(ACTIONS);
    puts(" stopped\n");
  } else {
    puts("hostile: ");
    print_dec(stopped);
    puts(" of ");
    print_dec(ACTIONS);
    puts(" stopped\n");
  }
  return 0;
}

int main(const char *arg, int argLen) {
  return argLen > 0 ? child(arg) : parent();
}
