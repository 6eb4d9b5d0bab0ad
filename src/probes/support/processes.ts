import { readdir, readFile } from 'node:fs/promises';

interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

async function procTable(): Promise<ProcEntry[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return []; // No /proc (not Linux): nothing can be found this way.
  }
  const rows = await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        try {
          const stat = await readFile(`/proc/${n}/stat`, 'utf8');
          // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
          const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return { pid: Number(n), ppid: Number(ppid), pgid: Number(pgid), state: state ?? '?' };
        } catch {
          return undefined; // Gone meanwhile.
        }
      }),
  );
  return rows.filter((r): r is ProcEntry => r !== undefined);
}

async function hasMarker(pid: number, marker: string): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/environ`, 'latin1')).split('\0').includes(marker);
  } catch {
    return false;
  }
}

/**
 * Live processes that a command started, found from `/proc`: the descendants of its pid, and any
 * process carrying its environment marker (a child that called `setsid` and whose parent has
 * exited is no longer a descendant and no longer in the command's process group, but it keeps
 * the environment it was started with). Never includes this process.
 */
export async function processesOf(rootPid: number, marker: string): Promise<{ pid: number; pgid: number }[]> {
  const table = (await procTable()).filter((p) => p.state !== 'Z' && p.pid !== process.pid);
  const found = new Set<number>();
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      if (found.has(c)) continue;
      found.add(c);
      walk(c);
    }
  };
  if (table.some((p) => p.pid === rootPid)) found.add(rootPid);
  walk(rootPid);
  const marked = await Promise.all(
    table.filter((p) => !found.has(p.pid)).map(async (p) => ((await hasMarker(p.pid, marker)) ? p.pid : undefined)),
  );
  for (const pid of marked) {
    if (pid === undefined) continue;
    found.add(pid);
    walk(pid);
  }
  return table.filter((p) => found.has(p.pid)).map((p) => ({ pid: p.pid, pgid: p.pgid }));
}

/** True while a process exists and is not a zombie. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}
