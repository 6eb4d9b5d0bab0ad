import { absentOrError } from './support/outcome.js';
import { hostPath, lintPattern, pattern } from './support/params.js';
import { reviewPattern } from './support/pattern-review.js';
import { defineProbe, fail, pass } from './types.js';

/**
 * A non-secret file (a constant, a version file) has a line matching a pattern. Reports line
 * numbers, never the text. The pattern runs where it cannot outlive the check's timeout: a pattern
 * still running then is an error, never a pass or a fail.
 */
export const fileContainsProbe = defineProbe({
  kind: 'file.contains',
  summary: 'a non-secret file matches a regular expression (multiline; reports line numbers, not text)',
  params: (z) => ({ path: hostPath(z), pattern: pattern(z) }),
  lint: (p) => lintPattern('pattern', p.pattern),
  review: (p) => reviewPattern('pattern', p.pattern),
  async run(p, ctx) {
    const r = await ctx.host.findLines(p.path, p.pattern, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    if (!r.ok) return absentOrError(r, { path: p.path });
    if (!r.lines.length) return fail(`${p.path} has no match for /${p.pattern}/`, { path: p.path, present: true, matched: false });
    const line = r.lines[0]!;
    return pass(`${p.path} matches /${p.pattern}/ at line ${line}`, { path: p.path, present: true, matched: true, line });
  },
});
