import path from 'node:path';
import type { EnvKey } from './support/host.js';
import { keyMatches } from './support/key-names.js';
import { absentOrError } from './support/outcome.js';
import { hostPath } from './support/params.js';
import { defineProbe, errored, fail, pass } from './types.js';

/**
 * A dotenv-style file (or every file of a directory) defines these key names with a value. Only
 * names, and whether each value is empty, come back from the host; values are dropped while
 * parsing and never reach evidence, logs or the store. An empty value (`KEY=`) counts as missing
 * unless the check says `allowEmpty: true`.
 */
export const envKeysProbe = defineProbe({
  kind: 'env.keys',
  summary: 'a dotenv-style file, or every file of a directory, defines these key names with non-empty values (names only)',
  params: (z) => ({
    path: hostPath(z),
    keys: z
      .array(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*\*?$/, {
          error: 'must be a key name, optionally ending in * for a prefix — write it like DB_PASSWORD or DB_*',
        }),
      )
      .min(1),
    allowEmpty: z.boolean().optional().describe('true counts KEY= (an empty value) as defined'),
  }),
  async run(p, ctx) {
    const st = await ctx.host.stat(p.path);
    if (!st.ok) return absentOrError(st, { path: p.path, missing: p.keys });
    let files: string[] = [''];
    if (st.type === 'directory') {
      const listed = await ctx.host.list(p.path);
      if (!listed.ok) return errored(listed.detail, { path: p.path });
      files = [];
      for (const e of listed.entries) {
        const file = path.posix.join(p.path, e.name);
        if (e.type === 'symlink') {
          // A link is followed inside the root; one that leaves it is an error below.
          const target = await ctx.host.stat(file);
          if (!target.ok && target.code !== 'absent') return errored(target.detail, { path: p.path });
          if (!target.ok || target.type !== 'file') continue;
        } else if (e.type !== 'file') continue;
        files.push(e.name);
      }
    }
    const found = new Map<string, string[]>();
    const empty = new Set<string>();
    for (const name of files) {
      const file = name ? path.posix.join(p.path, name) : p.path;
      const r = await ctx.host.envKeys(file);
      if (!r.ok) return errored(r.detail, { path: p.path });
      for (const want of p.keys) {
        const hits: EnvKey[] = r.keys.filter((k) => keyMatches(want, k.name));
        const counted = hits.filter((k) => p.allowEmpty || !k.empty).map((k) => k.name);
        for (const k of hits) if (k.empty && !p.allowEmpty) empty.add(k.name);
        if (counted.length) found.set(want, [...new Set([...(found.get(want) ?? []), ...counted])]);
      }
    }
    const missing = p.keys.filter((k) => !found.has(k));
    const emptyShown = [...empty].filter((k) => missing.some((m) => keyMatches(m, k)));
    const where = name1(files) ? p.path : `${p.path} (${files.length} file${files.length === 1 ? '' : 's'})`;
    const observed = {
      path: p.path,
      present: true,
      files: files.filter(Boolean),
      matched: Object.fromEntries(found),
      missing,
      ...(emptyShown.length ? { empty: emptyShown } : {}),
    };
    if (missing.length) {
      const emptyText = emptyShown.length
        ? ` (empty value: ${emptyShown.join(', ')} — set a value, or allowEmpty: true if empty is meant)`
        : '';
      return fail(`${where} lacks ${missing.join(', ')}${emptyText}${found.size ? `; has ${[...found.keys()].join(', ')}` : ''}`, observed);
    }
    return pass(`${where} defines ${p.keys.join(', ')}`, observed);
  },
});

const name1 = (files: string[]) => files.length === 1 && files[0] === '';
