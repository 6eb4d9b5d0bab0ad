import { absentOrError } from './support/outcome.js';
import { hostPath, modeString } from './support/params.js';
import { defineProbe, errored, fail, pass } from './types.js';

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
    const st = await ctx.host.stat(p.path);
    if (!st.ok) return absentOrError(st, { path: p.path });
    const owner = st.owner ?? String(st.uid);
    const group = st.group ?? String(st.gid);
    const observed = { path: p.path, present: true, type: st.type, mode: st.mode, owner, group };
    const seen = `${st.mode} ${owner}:${group}`;
    if (st.type !== 'file') return fail(`${p.path} is a ${st.type}, not a file`, observed);
    const wrong: string[] = [];
    if (p.mode !== undefined && normalMode(p.mode) !== st.mode) wrong.push(`mode ${st.mode}, expected ${normalMode(p.mode)}`);
    for (const [kind, want, id, name] of [
      ['user', p.owner, st.uid, owner],
      ['group', p.group, st.gid, group],
    ] as const) {
      if (want === undefined) continue;
      const account = await ctx.host.account(kind, want);
      if (!account.ok) return errored(`cannot look up ${kind} ${want}: ${account.detail}`, observed);
      const field = kind === 'user' ? 'owner' : 'group';
      if (!account.exists) wrong.push(`${field} ${name}, expected ${want} (no ${kind} named ${want} exists on this host)`);
      else if (account.id !== id) wrong.push(`${field} ${name}, expected ${want}`);
    }
    if (wrong.length) return fail(`${p.path} is present (${seen}) but has ${wrong.join(', ')}`, observed);
    return pass(`${p.path} is present (${seen})`, observed);
  },
});
