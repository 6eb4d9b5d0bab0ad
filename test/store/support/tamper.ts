import { writeFile } from 'node:fs/promises';
import type pg from 'pg';
import { eventText } from '../../../src/store/chain.js';
import type { LedgerEvent } from '../../../src/store/types.js';

/** Rewrites what a backend holds to `events`, in that order, as someone with write access to its storage would. */
export type Rewrite = (events: LedgerEvent[]) => Promise<void>;

export const rewriteFile =
  (ledger: string): Rewrite =>
  async (events) => {
    await writeFile(ledger, events.map((e) => `${eventText(e)}\n`).join(''));
  };

/** The table owner's way round the triggers: disable them, rewrite the rows (row order is the seq column), enable them. */
export const rewriteTable =
  (admin: pg.Client, schema: string, workflow: string): Rewrite =>
  async (events) => {
    const t = `"${schema}".events`;
    await admin.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    try {
      await admin.query(`DELETE FROM ${t} WHERE workflow = $1`, [workflow]);
      for (const [i, e] of events.entries()) {
        await admin.query(
          `INSERT INTO ${t} (workflow, seq, hash, prev, type, actor, subject, recorded, body) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
          [workflow, i + 1, e.hash, e.prev, e.type, e.actor, e.subject ?? null, e.time, eventText(e)],
        );
      }
    } finally {
      await admin.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
    }
  };
