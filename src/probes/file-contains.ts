import { readFile } from 'node:fs/promises';
import { defineProbe, errored, fail, pass } from './types.js';
import { hostPath, lintPattern, pattern } from './support/params.js';
import { describeFsError, errnoOf, resolveHostPath } from './support/host.js';

/** A non-secret file (a constant, a version file) has a line matching a pattern. Reports the line number, never the text. */
export const fileContainsProbe = defineProbe({
  kind: 'file.contains',
  summary: 'a non-secret file matches a regular expression (multiline; reports line numbers, not text)',
  params: (z) => ({ path: hostPath(z), pattern: pattern(z) }),
  lint: (p) => lintPattern('pattern', p.pattern),
  async run(p, ctx) {
    let text: string;
    try {
      text = await readFile(resolveHostPath(ctx.root, p.path), 'utf8');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return fail(`${p.path} is absent`, { path: p.path, present: false });
      return errored(`cannot read ${p.path}: ${describeFsError(e)}`, { path: p.path });
    }
    const m = new RegExp(p.pattern, 'm').exec(text);
    if (!m) return fail(`${p.path} has no match for /${p.pattern}/`, { path: p.path, present: true, matched: false });
    const line = text.slice(0, m.index).split('\n').length;
    return pass(`${p.path} matches /${p.pattern}/ at line ${line}`, { path: p.path, present: true, matched: true, line });
  },
});
