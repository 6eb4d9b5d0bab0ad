import { defineProbe, errored, fail, pass } from './types.js';
import { lintPattern, pattern } from './support/params.js';
import { runArgv } from './support/exec.js';

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
  async run(p, ctx) {
    const want = p.exitCode ?? 0;
    const shown = p.argv.join(' ');
    const r = await runArgv(p.argv, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, env: ctx.env });
    if (r.problem === 'not-found') return fail(`${p.argv[0]} is not on PATH`, { argv: p.argv, found: false });
    if (r.problem) return errored(`${shown}: ${r.detail}`, { argv: p.argv });
    const observed = { argv: p.argv, exitCode: r.exitCode, stdoutBytes: Buffer.byteLength(r.stdout) };
    if (r.exitCode !== want) return fail(`${shown} exited ${r.exitCode}, expected ${want}`, observed);
    if (p.stdout !== undefined) {
      const matched = new RegExp(p.stdout, 'm').test(r.stdout);
      if (!matched) return fail(`${shown} exited ${want} but its output has no match for /${p.stdout}/`, { ...observed, stdoutMatched: false });
      return pass(`${shown} exited ${want}; output matches /${p.stdout}/`, { ...observed, stdoutMatched: true });
    }
    return pass(`${shown} exited ${want}`, observed);
  },
});
