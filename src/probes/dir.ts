import { stat } from 'node:fs/promises';
import { defineProbe, errored, fail, pass } from './types.js';
import { hostPath } from './support/params.js';
import { describeFsError, errnoOf, resolveHostPath } from './support/host.js';

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
        try {
          const st = await stat(resolveHostPath(ctx.root, dir));
          (st.isDirectory() ? present : notDirs).push(dir);
        } catch (e) {
          if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') missing.push(dir);
          else errors.push(`${dir}: ${describeFsError(e)}`);
        }
      }),
    );
    const order = (xs: string[]) => xs.sort((a, b) => p.paths.indexOf(a) - p.paths.indexOf(b));
    const observed = { present: order(present), missing: order(missing), notDirectories: order(notDirs) };
    if (errors.length) return errored(`cannot stat ${errors.join('; ')}`, observed);
    if (missing.length === p.paths.length) return fail(`absent: ${missing.join(', ')}`, observed);
    if (missing.length || notDirs.length) {
      const parts = [missing.length ? `absent: ${missing.join(', ')}` : '', notDirs.length ? `not directories: ${notDirs.join(', ')}` : ''];
      return fail(`${parts.filter(Boolean).join('; ')} (present: ${present.join(', ') || 'none'})`, observed);
    }
    return pass(`present: ${present.join(', ')}`, observed);
  },
});
