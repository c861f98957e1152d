// Power-cut tests SIGKILL a whole process group and must know when every member is gone (or a
// zombie) before they reopen the files it held.
import { readdirSync, readFileSync } from 'node:fs';

/** Wait up to ~2 s for process group `pgid` to have no live member; false if it still has one. */
export async function processGroupGone(pgid: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const alive = readdirSync('/proc').some((name) => {
      if (!/^\d+$/.test(name)) return false;
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) === pgid && fields[0] !== 'Z';
      } catch {
        return false;
      }
    });
    if (!alive) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
