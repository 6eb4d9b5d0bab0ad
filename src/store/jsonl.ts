import { readFile } from 'node:fs/promises';
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
  const text = buf.subarray(0, validLength).toString('utf8');
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as LedgerEvent);
    } catch {
      badLines.push(lineNo);
      events.push({ malformed: true, line: lineNo } as unknown as LedgerEvent);
    }
  }
  return { events, validLength, tornTail, badLines };
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
