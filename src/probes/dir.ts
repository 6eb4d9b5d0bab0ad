import { hostPath } from './support/params.js';
import { defineProbe, errored, fail, pass } from './types.js';

/** Every listed directory exists. */
export const dirProbe = defineProbe({
  kind: 'dir',
  summary: 'every listed directory exists',
  params: (z) => ({ paths: z.array(hostPath(z)).min(1) }),
  async run(p, ctx) {
    const present: string[] = [];
    const missing: string[] = [];
    const notDirs: string[] = [];
    const errors: string[] = [];
    await Promise.all(
      p.paths.map(async (dir) => {
        const st = await ctx.host.stat(dir);
        if (st.ok) (st.type === 'directory' ? present : notDirs).push(dir);
        else if (st.code === 'absent') missing.push(dir);
        else errors.push(st.detail);
      }),
    );
    const order = (xs: string[]) => xs.sort((a, b) => p.paths.indexOf(a) - p.paths.indexOf(b));
    const observed = { present: order(present), missing: order(missing), notDirectories: order(notDirs) };
    if (errors.length) return errored(errors.sort().join('; '), observed);
    if (missing.length === p.paths.length) return fail(`absent: ${missing.join(', ')}`, observed);
    if (missing.length || notDirs.length) {
      const parts = [missing.length ? `absent: ${missing.join(', ')}` : '', notDirs.length ? `not directories: ${notDirs.join(', ')}` : ''];
      return fail(`${parts.filter(Boolean).join('; ')} (present: ${present.join(', ') || 'none'})`, observed);
    }
    return pass(`present: ${present.join(', ')}`, observed);
  },
});
