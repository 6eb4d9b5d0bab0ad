import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { localHost } from '../../src/probes/support/local-host.js';
import { probe } from '../support/probe.js';

// A simulated host whose files are links to this machine's own: none may be reported on.
let root: string;
let outside: string;
const SECRET = 'outside-secret-value-7e1';

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fg-root-'));
  outside = await mkdtemp(path.join(tmpdir(), 'fg-outside-'));
  await writeFile(path.join(outside, 'real.env'), `TOKEN=${SECRET}\n`, { mode: 0o640 });
  await writeFile(path.join(outside, 'switch.py'), '__execution_enabled__ = False\n');
  await mkdir(path.join(outside, 'keys'));
  await writeFile(path.join(outside, 'keys', 'pubring.kbx'), 'not a keyring');
  await mkdir(path.join(root, 'opt/app/conf.d'), { recursive: true });
  await mkdir(path.join(root, 'srv'), { recursive: true });
  await writeFile(path.join(root, 'srv/inside.env'), 'TOKEN=x\n', { mode: 0o640 });
  // Links out of the root: absolute, relative, and a directory link to /.
  await symlink(path.join(outside, 'real.env'), path.join(root, 'opt/app/abs.env'));
  await symlink(path.relative(path.join(root, 'opt/app'), path.join(outside, 'switch.py')), path.join(root, 'opt/app/rel.py'));
  await symlink('/', path.join(root, 'hostroot'));
  await symlink(path.join(outside, 'keys'), path.join(root, 'opt/app/gnupg'));
  await symlink(path.join(outside, 'real.env'), path.join(root, 'opt/app/conf.d/linked.conf'));
  // Links that stay inside: relative and absolute (to the root's own real path).
  await symlink('../../srv/inside.env', path.join(root, 'opt/app/inside-rel.env'));
  await symlink(path.join(root, 'srv/inside.env'), path.join(root, 'opt/app/inside-abs.env'));
  await symlink('../srv', path.join(root, 'opt/srv-link'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('paths under --root', () => {
  it('refuses a symbolic link out of the root in every file-like kind: ERROR "escapes --root", never the real file', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['file', { path: '/opt/app/abs.env', mode: '0640' }],
      ['file', { path: '/hostroot/etc/passwd' }],
      ['file.contains', { path: '/opt/app/rel.py', pattern: '^__execution_enabled__\\s*=\\s*False' }],
      ['dir', { paths: ['/hostroot/etc'] }],
      ['env.keys', { path: '/opt/app/abs.env', keys: ['TOKEN'] }],
      ['env.keys', { path: '/opt/app/conf.d', keys: ['TOKEN'] }],
      ['gpg.key', { any: true, home: '/opt/app/gnupg' }],
    ];
    for (const [kind, params] of cases) {
      const r = await probe(kind, params, { root });
      expect(r.status, `${kind} ${JSON.stringify(params)}`).toBe('error');
      expect(r.evidence, kind).toMatch(/escapes --root through the symbolic link \/(opt\/app\/\S+|hostroot)/);
      expect(JSON.stringify(r)).not.toContain(SECRET);
    }
  });

  it('follows links that stay inside the root, relative or absolute', async () => {
    expect((await probe('file', { path: '/opt/app/inside-rel.env', mode: '0640' }, { root })).status).toBe('pass');
    expect((await probe('file', { path: '/opt/app/inside-abs.env', mode: '0640' }, { root })).status).toBe('pass');
    expect((await probe('env.keys', { path: '/opt/srv-link/inside.env', keys: ['TOKEN'] }, { root })).status).toBe('pass');
    expect((await probe('dir', { paths: ['/opt/srv-link'] }, { root })).status).toBe('pass');
  });

  it('refuses a path with a ".." segment or a control character at run time too', async () => {
    const host = localHost(root);
    for (const p of ['/srv/../../etc/passwd', '/x\n/../../../etc/shadow', '/srv/inside.env\u0000']) {
      const r = await host.stat(p);
      expect(r).toMatchObject({ ok: false, code: 'bad-path' });
    }
  });

  it('does not read a FIFO or a file past the size limit (no hang, an ERROR)', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(root, 'srv/fifo')]);
    const r = await probe('file.contains', { path: '/srv/fifo', pattern: 'x' }, { root, timeoutMs: 2000 });
    expect(r.status).toBe('error');
    expect(r.evidence).toMatch(/not a regular file/);
  });

  it('refuses a --root that does not exist or is not a directory (a ConfigError, exit 2 in the CLI)', () => {
    expect(() => localHost('/nonexistent-root-xyz')).toThrow(ConfigError);
    expect(() => localHost('/nonexistent-root-xyz')).toThrow(/--root: \/nonexistent-root-xyz does not exist/);
    expect(() => localHost(path.join(root, 'srv/inside.env'))).toThrow(/is not a directory/);
  });
});
