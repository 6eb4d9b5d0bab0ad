import { type FileHandle, open } from 'node:fs/promises';
import { collect, parseLine, visitLine } from './chain.js';
import type { LedgerRead, LedgerTail, LedgerVisitor } from './types.js';

export interface JsonLinesRead extends LedgerRead {
  /** Bytes up to the end of the last complete line. */
  validLength: number;
  /** A last line cut off by a crash mid-append (ignored, and trimmed by the next append). */
  tornTail: boolean;
}

// One read of the file's size (readFile reads in 512 KiB turns of the event loop: a long ledger waits on them).
async function readWhole(file: string): Promise<Buffer> {
  const fd = await open(file, 'r');
  try {
    const { size } = await fd.stat();
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fd.read(buf, done, size - done, done);
      if (!bytesRead) break;
      done += bytesRead;
    }
    return buf.subarray(0, done);
  } finally {
    await fd.close();
  }
}

/**
 * Hands every complete line of a JSON Lines ledger to `visitor`, keeping none (a crash can leave only a
 * partial last line, which is set aside). Line by line from the bytes: an ASCII line decodes to a
 * one-byte string, which parses faster.
 */
export async function scanJsonLines(file: string, visitor: LedgerVisitor): Promise<{ validLength: number; tornTail: boolean }> {
  let buf: Buffer;
  try {
    buf = await readWhole(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { validLength: 0, tornTail: false };
    throw e;
  }
  const validLength = buf.lastIndexOf(0x0a) + 1;
  let lineNo = 0;
  let events = 0;
  for (let start = 0; start < validLength; ) {
    const nl = buf.indexOf(0x0a, start);
    lineNo++;
    if (nl > start && visitLine(visitor, buf.toString('utf8', start, nl), lineNo, events)) events++;
    start = nl + 1;
  }
  return { validLength, tornTail: validLength < buf.length };
}

/** Reads a JSON Lines ledger whole. */
export async function readJsonLines(file: string): Promise<JsonLinesRead> {
  const c = collect();
  return { ...c.read, ...(await scanJsonLines(file, c)) };
}

/** Reads only the end of a ledger: an append needs the last event (for `prev`) and where complete lines end. */
export async function readTail(file: string, chunk = 64 * 1024): Promise<LedgerTail & { offset: number }> {
  let fd: FileHandle;
  try {
    fd = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { last: undefined, lastDamaged: undefined, offset: 0 };
    throw e;
  }
  try {
    const { size } = await fd.stat();
    let tail = Buffer.alloc(0);
    let from = size;
    let offset = -1;
    let end = -1; // absolute offset of the newline that ends the line being looked at
    for (;;) {
      if (offset < 0) {
        const lastNl = tail.lastIndexOf(0x0a);
        if (lastNl >= 0) {
          offset = from + lastNl + 1;
          end = offset - 1;
        }
      }
      if (end >= 0) {
        const rel = end - from;
        const lineStart = rel > 0 ? tail.lastIndexOf(0x0a, rel - 1) : -1;
        if (lineStart >= 0 || from === 0) {
          const text = tail.subarray(lineStart + 1, rel).toString('utf8');
          if (!text) {
            if (lineStart < 0) return { last: undefined, lastDamaged: undefined, offset };
            end = from + lineStart; // an empty line: look at the one before
            continue;
          }
          const { event, damage } = parseLine(text, 0, 0);
          return { last: event, lastDamaged: damage?.problem, offset };
        }
      }
      if (from === 0) return { last: undefined, lastDamaged: undefined, offset: Math.max(offset, 0) };
      const n = Math.min(chunk, from);
      from -= n;
      const piece = Buffer.alloc(n);
      await fd.read(piece, 0, n, from);
      tail = Buffer.concat([piece, tail]);
    }
  } finally {
    await fd.close();
  }
}

/** The hash of event `seq`, looked for from the end backwards (a witness or view head is near the end). */
export async function hashNearEnd(file: string, seq: number, chunk = 256 * 1024): Promise<string | undefined> {
  let fd: FileHandle;
  try {
    fd = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    let from = (await fd.stat()).size;
    let carry = Buffer.alloc(0); // a line whose start lies in the earlier bytes not read yet
    while (from > 0) {
      const n = Math.min(chunk, from);
      from -= n;
      const piece = Buffer.alloc(n);
      await fd.read(piece, 0, n, from);
      const buf = Buffer.concat([piece, carry]);
      const cut = from === 0 ? 0 : buf.indexOf(0x0a) + 1;
      if (from > 0 && cut === 0) {
        carry = buf;
        continue;
      }
      const lines = buf.subarray(cut).toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const { event } = lines[i] ? parseLine(lines[i]!, 0, 0) : {};
        if (!event || !Number.isSafeInteger(event.seq)) continue;
        if (event.seq === seq) return event.hash;
        if (event.seq < seq) return undefined;
      }
      carry = buf.subarray(0, cut);
    }
    return undefined;
  } finally {
    await fd.close();
  }
}
