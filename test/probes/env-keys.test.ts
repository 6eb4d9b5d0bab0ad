import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvKeys } from '../../src/probes/support/key-names.js';
import { probe } from '../support/probe.js';

const SECRET = 'v@lue-that-must-not-leak';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fg-env-'));
  await mkdir(path.join(root, 'conf.d'), { recursive: true });
  await writeFile(
    path.join(root, '.env'),
    [
      '# comment',
      `export DB_PASSWORD="${SECRET}"`,
      `MULTI="first line`,
      `FAKE_KEY_IN_VALUE=${SECRET}`,
      `still the value"`,
      `DOT_CUTTER_EXEC_DB_HOST=db`,
      `  spaced.key = ${SECRET}`,
      `yaml_style: ${SECRET}`,
      '',
    ].join('\n'),
  );
  await writeFile(path.join(root, 'conf.d/a.conf'), `orchestrator.runs_dir=/x\n`);
  await writeFile(path.join(root, 'conf.d/b.conf'), `cutter.level=1\n`);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('env.keys', () => {
  it('reads key names only, skipping the lines of a quoted multi-line value', async () => {
    const keys = parseEnvKeys(await readFile(path.join(root, '.env'), 'utf8'));
    expect(keys.map((k) => k.name)).toEqual(['DB_PASSWORD', 'MULTI', 'DOT_CUTTER_EXEC_DB_HOST', 'spaced.key', 'yaml_style']);
    expect(JSON.stringify(keys)).not.toContain(SECRET);
  });

  it('passes when every key is defined, matching a prefix with *', async () => {
    const r = await probe('env.keys', { path: '/.env', keys: ['DB_PASSWORD', 'DOT_CUTTER_EXEC_DB_*'] }, { root });
    expect(r.status).toBe('pass');
    expect(r.observed?.matched).toEqual({ DB_PASSWORD: ['DB_PASSWORD'], 'DOT_CUTTER_EXEC_DB_*': ['DOT_CUTTER_EXEC_DB_HOST'] });
  });

  it('fails naming the missing keys, never a value', async () => {
    const r = await probe('env.keys', { path: '/.env', keys: ['BACKUP_GPG_FPR', 'DB_PASSWORD', 'FAKE_KEY_IN_VALUE'] }, { root });
    expect(r.status).toBe('fail');
    expect(r.observed?.missing).toEqual(['BACKUP_GPG_FPR', 'FAKE_KEY_IN_VALUE']);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('looks at every file of a directory', async () => {
    expect((await probe('env.keys', { path: '/conf.d', keys: ['orchestrator.*', 'cutter.level'] }, { root })).status).toBe('pass');
    const r = await probe('env.keys', { path: '/conf.d', keys: ['governance.*'] }, { root });
    expect(r.evidence).toBe('/conf.d (2 files) lacks governance.*');
  });

  it('fails for an absent file and errors, without the content, on an unreadable one', async () => {
    expect((await probe('env.keys', { path: '/nope.env', keys: ['A'] }, { root })).status).toBe('fail');
    if (process.getuid?.() !== 0) {
      await chmod(path.join(root, '.env'), 0o000);
      const r = await probe('env.keys', { path: '/.env', keys: ['A'] }, { root });
      await chmod(path.join(root, '.env'), 0o600);
      expect(r.status).toBe('error');
      expect(r.evidence).toMatch(/permission denied/);
    }
  });
});

describe('env.keys and empty values', () => {
  it('fails on KEY=, KEY="" and a value that is only a comment, unless the check says allowEmpty: true', async () => {
    await writeFile(
      path.join(root, 'empty.env'),
      ['BLANK=', 'QUOTED=""', "SINGLE=''", 'COMMENT= # set me', `SET=${SECRET}`, ''].join('\n'),
    );
    for (const key of ['BLANK', 'QUOTED', 'SINGLE', 'COMMENT']) {
      const r = await probe('env.keys', { path: '/empty.env', keys: [key] }, { root });
      expect(r.status, key).toBe('fail');
      expect(r.evidence).toBe(`/empty.env lacks ${key} (empty value: ${key} — set a value, or allowEmpty: true if empty is meant)`);
      expect((await probe('env.keys', { path: '/empty.env', keys: [key], allowEmpty: true }, { root })).status, key).toBe('pass');
    }
    const r = await probe('env.keys', { path: '/empty.env', keys: ['SET'] }, { root });
    expect(r.status).toBe('pass');
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('counts a prefix as defined only through a key with a value', async () => {
    await writeFile(path.join(root, 'prefix.env'), 'DB_HOST=\nDB_PORT=5432\n');
    expect((await probe('env.keys', { path: '/prefix.env', keys: ['DB_*'] }, { root })).observed?.matched).toEqual({ 'DB_*': ['DB_PORT'] });
  });
});

describe('file.contains', () => {
  it('passes with the line number, never the line', async () => {
    await writeFile(path.join(root, 'switch.py'), `# header\n__execution_enabled__ = False\n`);
    const r = await probe('file.contains', { path: '/switch.py', pattern: '^__execution_enabled__\\s*=\\s*False\\b' }, { root });
    expect(r).toMatchObject({ status: 'pass', observed: { line: 2, matched: true } });
    expect(r.evidence).not.toContain('__execution_enabled__ = False');
  });

  it('fails when the pattern is absent and marks an absent file as not present', async () => {
    expect((await probe('file.contains', { path: '/switch.py', pattern: '= True' }, { root })).status).toBe('fail');
    const r = await probe('file.contains', { path: '/gone.py', pattern: 'x' }, { root });
    expect(r).toMatchObject({ status: 'fail', observed: { present: false } });
  });
});
