import { versionString } from './support/params.js';
import { defineProbe, errored, fail, pass } from './types.js';

/** The first dotted number in a tool's `--version` output, e.g. "16.13" from "pg_dump (PostgreSQL) 16.13". */
export function parseVersion(text: string): string | undefined {
  return /(\d+(?:\.\d+)+)/.exec(text)?.[1] ?? /\b(\d+)\b/.exec(text)?.[1];
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/** A tool is on PATH (or at an absolute path), and its `--version` reports at least `minVersion`. */
export const toolProbe = defineProbe({
  kind: 'tool',
  summary: 'a tool is on PATH (or at an absolute path); its --version is parsed, kept as evidence and compared with minVersion',
  waitsOn: 'process',
  params: (z) => ({
    name: z.string().regex(/^(?:[^/\s]+|(?!.*(?:^|\/)\.\.(?:\/|$))\/[^\s]+)$/, {
      error:
        'must be a command name or an absolute path, with no space and no ".." segment — write it like pg_dump or /usr/lib/postgresql/15/bin/pg_dump',
    }),
    minVersion: versionString(z).optional(),
    versionArgs: z.array(z.string()).optional(),
  }),
  async run(p, ctx) {
    const versionArgs = p.versionArgs ?? ['--version'];
    const found = await ctx.host.findTool(p.name, ctx.env, { args: versionArgs, timeoutMs: ctx.timeoutMs });
    if (!found.ok) {
      if (found.code === 'absent' || found.code === 'denied') return fail(found.detail, { name: p.name, found: false });
      return errored(found.detail, { name: p.name });
    }
    const where = found.path;
    let firstLine = found.version?.firstLine;
    if (firstLine === undefined) {
      const r = await ctx.host.run([where, ...versionArgs], { timeoutMs: ctx.timeoutMs, signal: ctx.signal, env: ctx.env });
      if (r.problem) return errored(`${p.name} --version: ${r.detail}`, { name: p.name, path: where });
      firstLine = (r.stdout.trim() || r.stderr.trim()).split('\n')[0] ?? '';
    }
    const version = parseVersion(firstLine);
    const observed = { name: p.name, path: where, found: true, version: version ?? null };
    const at = where === p.name ? '' : ` at ${where}`;
    if (!p.minVersion) return pass(`${p.name} ${version ?? '(version unknown)'}${at}`, observed);
    if (!version) return fail(`${p.name}${at} reports no version; expected ≥ ${p.minVersion}`, observed);
    if (compareVersions(version, p.minVersion) < 0) return fail(`${p.name} ${version}${at} is older than ${p.minVersion}`, observed);
    return pass(`${p.name} ${version}${at} (≥ ${p.minVersion})`, observed);
  },
});
