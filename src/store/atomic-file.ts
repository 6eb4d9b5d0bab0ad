import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/**
 * Replaces a file atomically: a uniquely named temp file (so concurrent writers never share one),
 * written with mode 0600, fsynced, renamed over the target, and the directory fsynced.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = await open(tmp, 'wx', mode);
  try {
    await fd.writeFile(data);
    await fd.chmod(mode);
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

/** Appends bytes and fsyncs; creates the file with mode 0600. Trims a torn last line first. */
export async function appendDurable(file: string, data: string, validLength?: number): Promise<void> {
  const fd = await open(file, 'a+', 0o600);
  try {
    const st = await fd.stat();
    if (validLength !== undefined && st.size > validLength) await fd.truncate(validLength);
    if ((st.mode & 0o777) !== 0o600) await fd.chmod(0o600);
    await fd.appendFile(data);
    await fd.sync();
  } finally {
    await fd.close();
  }
  await fsyncDir(path.dirname(file));
}
