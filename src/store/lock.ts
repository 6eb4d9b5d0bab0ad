import { randomBytes } from 'node:crypto';
import { lstat, lutimes, readlink, symlink, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockOptions {
  /** A lock not refreshed for this long is stale even when its owner cannot be checked (another host). */
  staleMs?: number;
  /** How often the holder refreshes the lock's time. */
  refreshMs?: number;
  /** How long to wait for a busy lock before giving up. */
  timeoutMs?: number;
}

export interface HeldLock {
  /** True while the lock is still ours (nobody broke it as stale). */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

export interface LockHolder {
  pid: number;
  host: string;
  token: string;
  ageMs: number;
}

/** A lock that could not be had in time; names who holds it. */
export class LockBusyError extends Error {
  readonly code = 'ELOCKED';
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `${lockPath} is held by ${holder ? `pid ${holder.pid} on ${holder.host} for ${Math.round(holder.ageMs / 1000)} s` : 'another process'}`,
    );
  }
}

const HOST = hostname();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process of this host is still running. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// The owner is written atomically with the lock itself: a symlink whose target names pid, nonce and host.
async function inspect(lockPath: string): Promise<LockHolder | undefined> {
  try {
    const [token, st] = await Promise.all([readlink(lockPath), lstat(lockPath)]);
    const [, pid, , ...host] = token.split(':');
    return { token, pid: Number(pid), host: host.join(':'), ageMs: Date.now() - st.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function isStale(h: LockHolder, staleMs: number): boolean {
  return (h.host === HOST && Number.isInteger(h.pid) && !pidAlive(h.pid)) || h.ageMs > staleMs;
}

// Breakers take turns (a second lock) and re-check under it, so a live lock is never removed by a late breaker.
async function breakStale(lockPath: string, seen: LockHolder, token: string, staleMs: number): Promise<void> {
  const breakPath = `${lockPath}.break`;
  try {
    await symlink(token, breakPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const breaker = await inspect(breakPath);
    if (breaker && isStale(breaker, Math.min(staleMs, 5_000))) await unlink(breakPath).catch(() => undefined);
    return;
  }
  try {
    const now = await inspect(lockPath);
    if (now && now.token === seen.token) await unlink(lockPath).catch(() => undefined);
  } finally {
    if ((await readlink(breakPath).catch(() => undefined)) === token) await unlink(breakPath).catch(() => undefined);
  }
}

/** Removes `<target>.lock` when a killed process of this host left it (taking turns with other breakers); true when one was. */
export async function clearDeadLock(target: string): Promise<boolean> {
  const lockPath = `${target}.lock`;
  const holder = await inspect(lockPath).catch(() => undefined);
  if (!holder || holder.host !== HOST || !Number.isInteger(holder.pid) || pidAlive(holder.pid)) return false;
  await breakStale(lockPath, holder, `flipgate-lock:${process.pid}:${randomBytes(6).toString('hex')}:${HOST}`, 30_000);
  return !(await inspect(lockPath).catch(() => undefined));
}

/**
 * Takes `<target>.lock` across processes. A lock left by a killed process on this host is taken over
 * at once (its pid is gone); one from another host once it has not been refreshed for `staleMs`.
 */
export async function acquireLock(target: string, opts: LockOptions = {}): Promise<HeldLock> {
  const staleMs = opts.staleMs ?? 30_000;
  const refreshMs = opts.refreshMs ?? Math.max(1_000, Math.floor(staleMs / 4));
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const lockPath = `${target}.lock`;
  const token = `flipgate-lock:${process.pid}:${randomBytes(6).toString('hex')}:${HOST}`;
  let wait = 2;
  for (;;) {
    try {
      await symlink(token, lockPath);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await inspect(lockPath);
    if (!holder) continue;
    if (isStale(holder, staleMs)) {
      await breakStale(lockPath, holder, token, staleMs);
      continue;
    }
    if (Date.now() > deadline) throw new LockBusyError(lockPath, holder);
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 1.5, 50);
  }
  const timer = setInterval(() => {
    const t = new Date();
    void lutimes(lockPath, t, t).catch(() => undefined);
  }, refreshMs);
  timer.unref();
  const held = async () => (await readlink(lockPath).catch(() => undefined)) === token;
  return {
    held,
    async release() {
      clearInterval(timer);
      if (await held()) await unlink(lockPath).catch(() => undefined);
    },
  };
}
