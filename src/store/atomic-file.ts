import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { pidAlive } from './lock.js';

// Temp files name their writer (`.<file>.<host>.<pid>.<nonce>.tmp`), so a later command can tell one left by a dead process.
const HOST = hostname().replace(/[^A-Za-z0-9-]/g, '_');
const TEMP = /^\.(.+)\.([A-Za-z0-9_-]+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;
/** A temp file from another host is left alone until it is this old. */
const FOREIGN_TEMP_MS = 60 * 60_000;

async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

async function modeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o777;
  } catch {
    return undefined;
  }
}

/**
 * Replaces a file atomically: a uniquely named temp file (so concurrent writers never share one),
 * fsynced, renamed over the target, and the directory fsynced. A new file gets `mode` (0600); an
 * existing file keeps its own, so a rename never undoes an operator's chmod.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const keep = (await modeOf(file)) ?? mode;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${HOST}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = await open(tmp, 'wx', 0o600);
  try {
    await fd.writeFile(data);
    await fd.chmod(keep);
    await fd.sync();
  } catch (e) {
    await fd.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fd.close();
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(path.dirname(file));
}

/**
 * Removes temp files a killed writer left in `dir`: those of a process of this host that is gone, and
 * those of another host once they are an hour old. Returns the names removed.
 */
export async function sweepTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m) continue;
    const [, , host, pid] = m;
    const full = path.join(dir, name);
    const dead =
      host === HOST
        ? !pidAlive(Number(pid))
        : Date.now() - ((await stat(full).catch(() => undefined))?.mtimeMs ?? Date.now()) > FOREIGN_TEMP_MS;
    if (
      dead &&
      (await unlink(full).then(
        () => true,
        () => false,
      ))
    )
      removed.push(name);
  }
  return removed;
}

/** The ledger changed under the lock: its length is not what was read. */
export class LedgerMovedError extends Error {
  readonly code = 'EMOVED';
}

/**
 * Writes `data` at `at` (the end of the last complete line, so a torn tail left by a crash is
 * overwritten) and fsyncs. A new file is created 0600 and its directory fsynced. A write that fails
 * part-way is cut back to `at`, so a failed append leaves the ledger as it was.
 */
export async function appendDurable(file: string, data: string, at: number): Promise<void> {
  let created = false;
  let fd: FileHandle;
  try {
    fd = await open(file, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fd = await open(file, 'wx', 0o600);
    await fd.chmod(0o600);
    created = true;
  }
  try {
    const { size } = await fd.stat();
    if (size < at) throw new LedgerMovedError(`${file} is ${size} bytes, shorter than the ${at} read under the lock`);
    if (size > at) {
      // Only a torn last line (no newline) may stand past `at`; complete lines there were not read under the lock.
      const extra = Buffer.alloc(size - at);
      await fd.read(extra, 0, extra.length, at);
      if (extra.includes(0x0a)) throw new LedgerMovedError(`${file} grew past the ${at} bytes read under the lock`);
      await fd.truncate(at);
    }
    const buf = Buffer.from(data);
    try {
      let done = 0;
      while (done < buf.length) done += (await fd.write(buf, done, buf.length - done, at + done)).bytesWritten;
      await fd.sync();
    } catch (e) {
      await fd.truncate(at).catch(() => undefined);
      await fd.sync().catch(() => undefined);
      throw e;
    }
  } finally {
    await fd.close();
  }
  if (created) await fsyncDir(path.dirname(file));
}
