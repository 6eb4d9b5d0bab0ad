import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '../../support/pg.js';

/** A fresh file store location (the snapshot path; the ledger sits beside it). */
export async function tempStore(name = 'wf'): Promise<{ dir: string; location: string; ledger: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flipgate-store-'));
  return {
    dir,
    location: path.join(dir, 'state', `${name}.json`),
    ledger: path.join(dir, 'state', `${name}.events.jsonl`),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A postgres:// store URL inside the test's own database (real server) or own schema (embedded);
 * `suffix` names a schema of its own beside the test's (drop it when done on the embedded server).
 */
export function pgStoreUrl(db: TestDatabase, suffix?: string): string {
  const schema = db.kind === 'embedded' ? `${db.schema}${suffix ? `_${suffix}` : ''}` : (suffix ?? 'flipgate');
  if (db.env.DATABASE_URL) {
    const u = new URL(db.env.DATABASE_URL);
    u.searchParams.set('schema', schema);
    return u.toString();
  }
  const e = db.env;
  const auth = `${encodeURIComponent(e.PGUSER ?? 'postgres')}${e.PGPASSWORD ? `:${encodeURIComponent(e.PGPASSWORD)}` : ''}`;
  return `postgres://${auth}@${e.PGHOST}:${e.PGPORT ?? 5432}/${e.PGDATABASE}?schema=${schema}`;
}
