import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { defineProbe, errored, fail, pass } from './types.js';
import { hostPath } from './support/params.js';
import { describeFsError, errnoOf, resolveHostPath } from './support/host.js';
import { keyMatches, readKeyNames } from './support/key-names.js';

/**
 * A dotenv-style file (or every file of a directory) defines these key names. Only names are
 * read; values are dropped while parsing and never reach evidence, logs or the store.
 */
export const envKeysProbe = defineProbe({
  kind: 'env.keys',
  summary: 'a dotenv-style file, or every file of a directory, defines these key names (names only)',
  params: (z) => ({
    path: hostPath(z),
    keys: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.\-]*\*?$/, { error: 'must be a key name, optionally ending in * for a prefix' })).min(1),
  }),
  async run(p, ctx) {
    const target = resolveHostPath(ctx.root, p.path);
    let files: string[];
    try {
      const st = await stat(target);
      if (st.isDirectory()) {
        const entries = await readdir(target, { withFileTypes: true });
        files = entries.filter((e) => e.isFile()).map((e) => e.name).sort();
      } else files = [''];
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return fail(`${p.path} is absent`, { path: p.path, present: false, missing: p.keys });
      return errored(`cannot read ${p.path}: ${describeFsError(e)}`, { path: p.path });
    }
    const found = new Map<string, string[]>();
    for (const name of files) {
      let keys: string[];
      try {
        keys = await readKeyNames(name ? path.join(target, name) : target);
      } catch (e) {
        return errored(`cannot read ${name ? path.posix.join(p.path, name) : p.path}: ${describeFsError(e)}`, { path: p.path });
      }
      for (const want of p.keys) {
        const hits = keys.filter((k) => keyMatches(want, k));
        if (hits.length) found.set(want, [...new Set([...(found.get(want) ?? []), ...hits])]);
      }
    }
    const missing = p.keys.filter((k) => !found.has(k));
    const where = files.length === 1 && files[0] === '' ? p.path : `${p.path} (${files.length} file${files.length === 1 ? '' : 's'})`;
    const observed = { path: p.path, present: true, files: files.filter(Boolean), matched: Object.fromEntries(found), missing };
    if (missing.length) return fail(`${where} lacks ${missing.join(', ')}${found.size ? `; has ${[...found.keys()].join(', ')}` : ''}`, observed);
    return pass(`${where} defines ${p.keys.join(', ')}`, observed);
  },
});
