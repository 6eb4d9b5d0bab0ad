import { lintPattern, pattern } from './support/params.js';
import { matchLines } from './support/pattern.js';
import { reviewPattern } from './support/pattern-review.js';
import { defineProbe, errored, fail, pass } from './types.js';

/**
 * Runs a command from an argv array (never a shell) and checks its exit code and, optionally,
 * that its standard output matches a pattern. The child's output is never copied into evidence.
 */
export const commandProbe = defineProbe({
  kind: 'command',
  summary: 'runs an argv array (no shell); checks the exit code and optionally a stdout pattern',
  waitsOn: 'process',
  params: (z) => ({
    argv: z.array(z.string().min(1)).min(1),
    exitCode: z.number().int().min(0).max(255).optional(),
    stdout: pattern(z).optional(),
  }),
  lint: (p) => lintPattern('stdout', p.stdout),
  review: (p) => reviewPattern('stdout', p.stdout),
  async run(p, ctx) {
    const want = p.exitCode ?? 0;
    const shown = p.argv.join(' ');
    const started = performance.now();
    const r = await ctx.host.run(p.argv, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, env: ctx.env });
    if (r.problem === 'not-found') {
      const program = p.argv[0]!;
      return fail(program.includes('/') ? `${program} does not exist` : `${program} is not on PATH`, { argv: p.argv, found: false });
    }
    if (r.problem)
      return errored(`${shown}: ${r.detail}`, { argv: p.argv, ...(r.strays && 'killed' in r.strays ? { strays: r.strays } : {}) });
    const background = r.strays && 'background' in r.strays ? r.strays.background : 0;
    const left = background ? ` (it left ${background} process${background === 1 ? '' : 'es'} running that held its output)` : '';
    const observed = {
      argv: p.argv,
      exitCode: r.exitCode,
      stdoutBytes: Buffer.byteLength(r.stdout),
      ...(background ? { background } : {}),
    };
    if (r.exitCode !== want) return fail(`${shown} exited ${r.exitCode}, expected ${want}${left}`, observed);
    if (p.stdout !== undefined) {
      const m = await matchLines(r.stdout, p.stdout, {
        timeoutMs: Math.max(1, ctx.timeoutMs - (performance.now() - started)),
        signal: ctx.signal,
        limit: 1,
      });
      if (!m.ok) return errored(`${shown} exited ${want}, but /${p.stdout}/ on its output: ${m.detail}`, observed);
      if (!m.lines.length)
        return fail(`${shown} exited ${want} but its output has no match for /${p.stdout}/${left}`, { ...observed, stdoutMatched: false });
      return pass(`${shown} exited ${want}; output matches /${p.stdout}/${left}`, { ...observed, stdoutMatched: true });
    }
    return pass(`${shown} exited ${want}${left}`, observed);
  },
});
