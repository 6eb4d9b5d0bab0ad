import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersion } from '../../src/probes/tool.js';
import { probe } from '../support/probe.js';

describe('command', () => {
  it('passes on the expected exit code and stdout pattern, without copying the output', async () => {
    process.env.FG_TEST_TOKEN = 'abc123-from-env';
    const r = await probe('command', { argv: ['node', '-e', 'console.log("token=" + process.env.FG_TEST_TOKEN + " ok")'], stdout: 'ok$' });
    expect(r.status).toBe('pass');
    expect(JSON.stringify(r)).not.toContain('abc123-from-env');
  });

  it('runs argv without a shell: metacharacters are plain arguments', async () => {
    const r = await probe('command', {
      argv: ['node', '-e', 'process.exit(process.argv[1] === "$(id); echo hi" ? 0 : 1)', '$(id); echo hi'],
    });
    expect(r.status).toBe('pass');
  });

  it('fails on another exit code and never quotes stderr', async () => {
    process.env.FG_TEST_PASSWORD = 'zzz-from-env';
    const r = await probe('command', {
      argv: ['node', '-e', 'console.error("password=" + process.env.FG_TEST_PASSWORD); process.exit(3)'],
    });
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatch(/exited 3, expected 0/);
    expect(JSON.stringify(r)).not.toContain('zzz-from-env');
  });

  it('fails when the executable is not found, saying "not on PATH" only for a bare name', async () => {
    const r = await probe('command', { argv: ['no-such-binary-here'] });
    expect(r).toMatchObject({ status: 'fail', evidence: 'no-such-binary-here is not on PATH', observed: { found: false } });
    const abs = await probe('command', { argv: ['/opt/no-such/bin/tool', 'x'] });
    expect(abs).toMatchObject({ status: 'fail', evidence: '/opt/no-such/bin/tool does not exist' });
  });

  it('errors on a timeout and kills the grandchildren that hold its pipes', async () => {
    const started = Date.now();
    const r = await probe('command', { argv: ['sh', '-c', 'sleep 30 & sleep 30'] }, { timeoutMs: 300 });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/did not finish within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('tool', () => {
  it('parses versions and compares them numerically', () => {
    expect(parseVersion('pg_dump (PostgreSQL) 16.13')).toBe('16.13');
    expect(parseVersion('gpg (GnuPG) 2.4.4\nlibgcrypt 1.10.3')).toBe('2.4.4');
    expect(compareVersions('2.10', '2.9')).toBe(1);
    expect(compareVersions('16.13', '16.13.0')).toBe(0);
  });

  it('finds a real tool on PATH and keeps its version as evidence', async () => {
    const r = await probe('tool', { name: 'node', minVersion: '18' });
    expect(r.status).toBe('pass');
    expect(r.observed?.version).toBe(process.versions.node);
  });

  it('fails when the version is too old or the tool is missing', async () => {
    expect((await probe('tool', { name: 'node', minVersion: '999.1' })).status).toBe('fail');
    const missing = await probe('tool', { name: 'no-such-tool-x' });
    expect(missing).toMatchObject({ status: 'fail', observed: { found: false } });
    expect(missing.evidence).toBe('no-such-tool-x is not on PATH');
  });

  it('takes an absolute path as is: it runs, or the evidence says it does not exist or is not executable', async () => {
    expect((await probe('tool', { name: process.execPath, minVersion: '18' })).status).toBe('pass');
    expect(await probe('tool', { name: '/usr/lib/postgresql/99/bin/pg_dump' })).toMatchObject({
      status: 'fail',
      evidence: '/usr/lib/postgresql/99/bin/pg_dump does not exist',
    });
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/fg-tool-');
    await writeFile(`${dir}/plain`, 'x', { mode: 0o644 });
    expect(await probe('tool', { name: `${dir}/plain` })).toMatchObject({ status: 'fail', evidence: `${dir}/plain is not executable` });
    await rm(dir, { recursive: true });
  });
});

describe('command output limits', () => {
  it('stops a command whose output passes 4 MiB and reports it as an error, not a pass', async () => {
    const r = await probe(
      'command',
      { argv: ['node', '-e', 'process.stdout.write("x".repeat(5 * 1024 * 1024)); setTimeout(() => {}, 20000)'] },
      { timeoutMs: 15_000 },
    );
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/output passed 4 MiB/);
  });
});
