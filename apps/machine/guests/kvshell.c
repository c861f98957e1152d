/* kvshell: a persistent key-value shell. The entries are blocks of the persistent heap (palloc),
 * kept in a list sorted by key whose head is a global of the program image; both live in the
 * object space, so the data survives power loss with nothing written to a file. After a restore
 * the kernel resumes the shell where it was (usually waiting for a key), so the banner shows once. */
#include "phantasm.h"

struct entry {
  struct entry *next;
  char *value;
  char key[]; /* key, NUL, value, NUL */
};

static struct entry *head; /* the root: in the program image, so persistent */
static int started;        /* set on first start: no banner after a restore */
static char line[256];

static const char *skipBlanks(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return s;
}

/* Copies the next word of *s into word (at most size-1 bytes) and advances *s past it. */
static int nextWord(const char **s, char *word, int size) {
  const char *p = skipBlanks(*s);
  int n = 0;
  while (*p && *p != ' ' && *p != '\t') {
    if (n < size - 1) word[n++] = *p;
    p++;
  }
  word[n] = 0;
  *s = p;
  return n;
}

/* The link that points at the entry for key, or at the place where it would be inserted. */
static struct entry **findLink(const char *key) {
  struct entry **link = &head;
  while (*link && strcmp((*link)->key, key) < 0) link = &(*link)->next;
  return link;
}

static struct entry *find(const char *key) {
  struct entry *e = *findLink(key);
  return e && strcmp(e->key, key) == 0 ? e : NULL;
}

static void set(const char *key, const char *value) {
  size_t klen = strlen(key), vlen = strlen(value);
  struct entry *e = palloc(sizeof(struct entry) + klen + 1 + vlen + 1);
  if (!e) {
    puts("out of memory\n");
    return;
  }
  memcpy(e->key, key, klen + 1);
  e->value = e->key + klen + 1;
  memcpy(e->value, value, vlen + 1);
  struct entry **link = findLink(key);
  struct entry *old = *link && strcmp((*link)->key, key) == 0 ? *link : NULL;
  e->next = old ? old->next : *link;
  *link = e; /* one store publishes the new entry */
  if (old) pfree(old);
  puts("ok\n");
}

static void del(const char *key) {
  struct entry **link = findLink(key);
  struct entry *e = *link;
  if (!e || strcmp(e->key, key) != 0) {
    puts("(not found)\n");
    return;
  }
  *link = e->next;
  pfree(e);
  puts("deleted\n");
}

static void list(void) {
  unsigned n = 0;
  for (struct entry *e = head; e; e = e->next, n++) {
    puts(e->key);
    puts(" = ");
    puts(e->value);
    putc('\n');
  }
  putc('(');
  print_udec(n);
  puts(" keys)\n");
}

static void help(void) {
  puts("commands:\n"
       "  set KEY VALUE  store VALUE (the rest of the line) under KEY\n"
       "  get KEY        print the value of KEY\n"
       "  del KEY        delete KEY\n"
       "  list           print every key and value\n"
       "  snapshot       take a snapshot now and print its generation\n"
       "  help           this text\n"
       "the data lives in persistent memory: it survives power loss.\n");
}

static void snapshot(void) {
  int generation = sys_snapshot();
  if (generation < 0) {
    puts("snapshot failed: ");
    print_error(generation);
    putc('\n');
  } else {
    puts("snapshot ");
    print_dec(generation);
    putc('\n');
  }
}

static void command(const char *s) {
  char cmd[32], key[64];
  nextWord(&s, cmd, sizeof cmd);
  if (!cmd[0]) return;
  if (strcmp(cmd, "set") == 0) {
    const char *value;
    if (!nextWord(&s, key, sizeof key) || !*(value = skipBlanks(s))) {
      puts("usage: set KEY VALUE\n");
      return;
    }
    set(key, value);
  } else if (strcmp(cmd, "get") == 0 || strcmp(cmd, "del") == 0) {
    if (!nextWord(&s, key, sizeof key)) {
      puts("usage: ");
      puts(cmd);
      puts(" KEY\n");
    } else if (cmd[0] == 'd') {
      del(key);
    } else {
      struct entry *e = find(key);
      puts(e ? e->value : "(not found)");
      putc('\n');
    }
  } else if (strcmp(cmd, "list") == 0) {
    list();
  } else if (strcmp(cmd, "help") == 0) {
    help();
  } else if (strcmp(cmd, "snapshot") == 0) {
    snapshot();
  } else {
    puts("unknown command: ");
    puts(cmd);
    puts(" (try help)\n");
  }
}

int main(const char *arg, int argLen) {
  (void)arg;
  (void)argLen;
  if (!started) {
    started = 1;
    puts("Phantasm key-value shell (type help)\n");
  }
  for (;;) {
    puts("kv> ");
    read_line(line, sizeof line);
    command(line);
  }
}
