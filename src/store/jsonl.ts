import { open, readFile } from 'node:fs/promises';
import type { LedgerEvent } from './types.js';

export interface JsonLinesRead {
  events: LedgerEvent[];
  /** Bytes up to the end of the last complete line. */
  validLength: number;
  /** A last line cut off by a crash mid-append (ignored, and trimmed by the next append). */
  tornTail: boolean;
  /** Complete lines that are not JSON (tampering or corruption): reported by verify. */
  badLines: number[];
}

/** Reads a JSON Lines ledger; a crash can leave only a partial last line, which is set aside. */
export async function readJsonLines(file: string): Promise<JsonLinesRead> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], validLength: 0, tornTail: false, badLines: [] };
    throw e;
  }
  const lastNl = buf.lastIndexOf(0x0a);
  const validLength = lastNl + 1;
  const tornTail = validLength < buf.length;
  const events: LedgerEvent[] = [];
  const badLines: number[] = [];
  // Line by line from the bytes: an ASCII line decodes to a one-byte string, which parses faster.
  let lineNo = 0;
  for (let start = 0; start < validLength; ) {
    const end = buf.indexOf(0x0a, start);
    lineNo++;
    if (end > start) {
      try {
        events.push(JSON.parse(buf.toString('utf8', start, end)) as LedgerEvent);
      } catch {
        badLines.push(lineNo);
        events.push({ malformed: true, line: lineNo } as unknown as LedgerEvent);
      }
    }
    start = end + 1;
  }
  return { events, validLength, tornTail, badLines };
}

export interface JsonLinesTail {
  /** The last complete line, parsed; undefined for an empty ledger. */
  last: LedgerEvent | undefined;
  /** The last complete line is not JSON. */
  lastMalformed: boolean;
  validLength: number;
  size: number;
}

/** Reads only the end of a ledger: an append needs the last event (for `prev`) and where complete lines end. */
export async function readTail(file: string, chunk = 64 * 1024): Promise<JsonLinesTail> {
  let fd;
  try {
    fd = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { last: undefined, lastMalformed: false, validLength: 0, size: 0 };
    throw e;
  }
  try {
    const { size } = await fd.stat();
    let tail = Buffer.alloc(0);
    let from = size;
    let validLength = -1;
    let end = -1; // absolute offset of the newline that ends the line being looked at
    for (;;) {
      if (validLength < 0) {
        const lastNl = tail.lastIndexOf(0x0a);
        if (lastNl >= 0) end = (validLength = from + lastNl + 1) - 1;
      }
      if (end >= 0) {
        const rel = end - from;
        const lineStart = rel > 0 ? tail.lastIndexOf(0x0a, rel - 1) : -1;
        if (lineStart >= 0 || from === 0) {
          const line = tail.subarray(lineStart + 1, rel).toString('utf8');
          if (!line) {
            if (lineStart < 0) return { last: undefined, lastMalformed: false, validLength, size };
            end = from + lineStart; // an empty line: look at the one before
            continue;
          }
          try {
            return { last: JSON.parse(line) as LedgerEvent, lastMalformed: false, validLength, size };
          } catch {
            return { last: undefined, lastMalformed: true, validLength, size };
          }
        }
      }
      if (from === 0) return { last: undefined, lastMalformed: false, validLength: Math.max(validLength, 0), size };
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

/** lowdb adapter over a JSON Lines ledger: reads the whole ledger; writing goes through appends only. */
export class JsonLinesLedgerAdapter {
  constructor(readonly file: string) {}
  async read(): Promise<LedgerEvent[] | null> {
    return (await readJsonLines(this.file)).events;
  }
  async write(): Promise<void> {
    throw new Error('the ledger is append-only: use the store to append events');
  }
}
