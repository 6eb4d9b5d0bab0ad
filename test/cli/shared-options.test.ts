import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { sharedOptions } from '../../src/cli/options.js';
import { cliPath, flipgate } from '../support/cli.js';
import { O8 } from '../support/seed.js';

/** Every command that runs something (not the `store` and `audit` groups' parents only). */
function leaves(c: Command): Command[] {
  return c.commands.flatMap((sub) => [
    ...(sub.commands.length && !(sub as unknown as { _actionHandler: unknown })._actionHandler ? [] : [sub]),
    ...leaves(sub),
  ]);
}

/** Runs the CLI with exactly this environment (the shared helper forces NO_COLOR). */
function raw(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env }, (err, stdout) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

const base = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('FLIPGATE_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR'),
);
const ansi = /\x1b\[\d+m/;

describe('shared options', () => {
  it('every command accepts every shared option', () => {
    const commands = leaves(buildProgram());
    expect(commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(['approve', 'revoke', 'approvals', 'waive', 'status', 'audit', 'verify', 'copy', 'demo', 'init', 'watch']),
    );
    for (const c of commands) {
      const flags = new Set(c.options.map((o) => o.flags));
      const missing = sharedOptions.filter((o) => !flags.has(o.flags)).map((o) => o.flags);
      expect({ command: c.name(), missing }).toEqual({ command: c.name(), missing: [] });
    }
  });

  it('--root, --target local and --no-color are accepted by commands that do not probe (approvals, audit)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fg-shared-'));
    try {
      const args = ['--workflow', O8, '--store', path.join(dir, 's.json'), '--root', dir, '--target', 'local', '--no-color', '--as', 'ops'];
      const approvals = await flipgate(['approvals', ...args, '--json']);
      expect(approvals.code).toBe(0);
      expect(JSON.parse(approvals.stdout)).toMatchObject({ schemaVersion: 1, approvals: [] });
      const audit = await flipgate(['audit', ...args]);
      expect(audit.code).toBe(0);
      expect(audit.stdout.trim()).toBe(
        'Audit of o8-production-readiness: nothing recorded yet — the first flipgate survey or advance starts the ledger',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes a shared flag before the command name (as an alias puts it) over the environment, and the nearest flag over one further out', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fg-alias-'));
    try {
      const env = { ...base, FLIPGATE_STORE: path.join(dir, 'env.json'), FLIPGATE_WORKFLOW: O8 };
      const store = async (args: string[]) => JSON.parse((await flipgate(args, { env })).stdout).store as string;
      expect(await store(['audit', 'verify', '--json'])).toBe(path.join(dir, 'env.json'));
      expect(await store(['--store', path.join(dir, 'alias.json'), 'audit', 'verify', '--json'])).toBe(path.join(dir, 'alias.json'));
      expect(await store(['audit', 'verify', '--store', path.join(dir, 'flag.json'), '--json'])).toBe(path.join(dir, 'flag.json'));
      expect(
        await store(['--store', path.join(dir, 'alias.json'), 'audit', 'verify', '--store', path.join(dir, 'flag.json'), '--json']),
      ).toBe(path.join(dir, 'flag.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a --target that is neither local nor ssh:// (exit 2), also on a command that only reads', async () => {
    const r = await flipgate(['status', '--workflow', O8, '--target', 'web-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--target: target "web-1" is neither local nor an ssh:\/\/ address/);
  });

  it('a usage error under --json is one JSON object on stdout with exit 2, and nothing on stderr', async () => {
    for (const args of [
      ['approve', '--json'],
      ['status', '--bogus', '--json'],
      ['waive', 'GAP-1', '--json'],
    ]) {
      const r = await flipgate(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('');
      const body = JSON.parse(r.stdout);
      expect(body).toMatchObject({
        schemaVersion: 1,
        error: { usage: true, message: expect.any(String), fix: expect.stringContaining('--help') },
      });
    }
    const plain = await flipgate(['approve']);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toMatch(/missing required argument 'gap'/);
  });
});

describe('colour', () => {
  let dir: string;
  let args: string[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fg-color-'));
    args = ['audit', 'verify', '--workflow', O8, '--store', path.join(dir, 's.json')];
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is off when piped, on with FORCE_COLOR=1, off with FORCE_COLOR=0 or a non-empty NO_COLOR', async () => {
    expect((await raw(args, base)).stdout).not.toMatch(ansi);
    expect((await raw(args, { ...base, FORCE_COLOR: '1' })).stdout).toMatch(ansi);
    expect((await raw(args, { ...base, FORCE_COLOR: '0' })).stdout).not.toMatch(ansi);
    expect((await raw(args, { ...base, NO_COLOR: '1' })).stdout).not.toMatch(ansi);
  });

  it('follows --color and --no-color over the environment', async () => {
    expect((await raw([...args, '--color'], { ...base, NO_COLOR: '1' })).stdout).toMatch(ansi);
    expect((await raw([...args, '--no-color'], { ...base, FORCE_COLOR: '1' })).stdout).not.toMatch(ansi);
  });
});
