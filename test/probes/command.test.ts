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
    const r = await probe('command', { argv: ['node', '-e', 'process.exit(process.argv[1] === "$(id); echo hi" ? 0 : 1)', '$(id); echo hi'] });
    expect(r.status).toBe('pass');
  });

  it('fails on another exit code and never quotes stderr', async () => {
    process.env.FG_TEST_PASSWORD = 'zzz-from-env';
    const r = await probe('command', { argv: ['node', '-e', 'console.error("password=" + process.env.FG_TEST_PASSWORD); process.exit(3)'] });
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatch(/exited 3, expected 0/);
    expect(JSON.stringify(r)).not.toContain('zzz-from-env');
  });

  it('fails when the executable is not found', async () => {
    const r = await probe('command', { argv: ['no-such-binary-here'] });
    expect(r).toMatchObject({ status: 'fail', observed: { found: false } });
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
    expect((await probe('tool', { name: 'no-such-tool-x' })).status).toBe('fail');
  });
});

describe('command output limits', () => {
  it('stops a command whose output passes 4 MiB and reports it as an error, not a pass', async () => {
    const r = await probe('command', { argv: ['node', '-e', 'process.stdout.write("x".repeat(5 * 1024 * 1024)); setTimeout(() => {}, 20000)'] }, { timeoutMs: 15_000 });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/output passed 4 MiB/);
  });
});
