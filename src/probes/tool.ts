import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { defineProbe, errored, fail, pass } from './types.js';
import { versionString } from './support/params.js';
import { runArgv } from './support/exec.js';

/** The first executable `name` in PATH order; every directory is asked at once, so a long PATH costs one wait. */
async function findOnPath(name: string, envPath: string | undefined): Promise<string | undefined> {
  const candidates = (envPath ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
  const found = await Promise.all(
    candidates.map((candidate) =>
      access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      ),
    ),
  );
  return candidates[found.indexOf(true)];
}

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

/** A tool is on PATH, and its `--version` reports at least `minVersion`. */
export const toolProbe = defineProbe({
  kind: 'tool',
  summary: 'a tool is on PATH; its --version is parsed, kept as evidence and compared with minVersion',
  waitsOn: 'process',
  params: (z) => ({
    name: z.string().regex(/^[^/\s]+$/, { error: 'must be a bare command name such as pg_dump (no path, no spaces)' }),
    minVersion: versionString(z).optional(),
    versionArgs: z.array(z.string()).optional(),
  }),
  async run(p, ctx) {
    const where = await findOnPath(p.name, ctx.env.PATH);
    if (!where) return fail(`${p.name} is not on PATH`, { name: p.name, found: false });
    const r = await runArgv([where, ...(p.versionArgs ?? ['--version'])], { timeoutMs: ctx.timeoutMs, signal: ctx.signal, env: ctx.env });
    if (r.problem) return errored(`${p.name} --version: ${r.detail}`, { name: p.name, path: where });
    const firstLine = (r.stdout.trim() || r.stderr.trim()).split('\n')[0] ?? '';
    const version = parseVersion(firstLine);
    const observed = { name: p.name, path: where, found: true, version: version ?? null };
    if (!p.minVersion) return pass(`${p.name} ${version ?? '(version unknown)'} at ${where}`, observed);
    if (!version) return fail(`${p.name} at ${where} reports no version; expected ≥ ${p.minVersion}`, observed);
    if (compareVersions(version, p.minVersion) < 0) return fail(`${p.name} ${version} at ${where} is older than ${p.minVersion}`, observed);
    return pass(`${p.name} ${version} at ${where} (≥ ${p.minVersion})`, observed);
  },
});
