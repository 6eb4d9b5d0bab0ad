import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

/** Every entry under a folder: type, mode, owner, size, content hash and mtime (atime excluded: reads may touch it). */
export async function snapshotTree(root: string, skip: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
      const st = await lstat(full);
      let body = '';
      if (st.isFile())
        body = createHash('sha256')
          .update(await readFile(full))
          .digest('hex');
      else if (st.isSymbolicLink()) body = await readlink(full);
      out[rel] = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.mtimeMs} ${body}`;
      if (st.isDirectory()) await walk(full);
    }
  };
  await walk(root);
  return out;
}

/** Roles with a prefix, and every table of a schema with a hash of its rows. */
export async function snapshotDatabase(admin: pg.Client, schema: string, rolePrefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const roles = await admin.query(`SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1`, [
    `${rolePrefix.replace(/_/g, '\\_')}%`,
  ]);
  for (const r of roles.rows) out[`role ${r.rolname}`] = String(r.rolcanlogin);
  const tables = await admin.query(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
    [schema],
  );
  for (const t of tables.rows) {
    const rows = await admin.query(
      `SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h, count(*) AS n FROM "${schema}"."${t.relname}" x`,
    );
    out[`table ${t.relname}`] = `${rows.rows[0].n} ${rows.rows[0].h}`;
  }
  return out;
}
