import { stat } from 'node:fs/promises';
import { defineProbe, errored, fail, pass } from './types.js';
import { hostPath, modeString } from './support/params.js';
import { describeFsError, errnoOf, groupName, resolveHostPath, sameAccount, userName } from './support/host.js';

const normalMode = (m: string): string => m.padStart(4, '0');

/** A file is present with the given mode, owner and group. Stat only: the file is never opened. */
export const fileProbe = defineProbe({
  kind: 'file',
  summary: 'a file exists, optionally with a mode, owner and group (stat only, never opened)',
  params: (z) => ({
    path: hostPath(z),
    mode: modeString(z).optional(),
    owner: z.string().min(1).optional(),
    group: z.string().min(1).optional(),
  }),
  async run(p, ctx) {
    let st;
    try {
      st = await stat(resolveHostPath(ctx.root, p.path));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return fail(`${p.path} is absent`, { path: p.path, present: false });
      return errored(`cannot stat ${p.path}: ${describeFsError(e)}`, { path: p.path });
    }
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    const owner = userName(st.uid);
    const group = groupName(st.gid);
    const observed = { path: p.path, present: true, type: st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other', mode, owner, group };
    const seen = `${mode} ${owner}:${group}`;
    if (!st.isFile()) return fail(`${p.path} is a ${observed.type}, not a file`, observed);
    const wrong: string[] = [];
    if (p.mode !== undefined && normalMode(p.mode) !== mode) wrong.push(`mode ${mode}, expected ${normalMode(p.mode)}`);
    if (p.owner !== undefined && !sameAccount(p.owner, st.uid, 'user')) wrong.push(`owner ${owner}, expected ${p.owner}`);
    if (p.group !== undefined && !sameAccount(p.group, st.gid, 'group')) wrong.push(`group ${group}, expected ${p.group}`);
    if (wrong.length) return fail(`${p.path} is present (${seen}) but has ${wrong.join(', ')}`, observed);
    return pass(`${p.path} is present (${seen})`, observed);
  },
});
