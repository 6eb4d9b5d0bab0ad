import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupName, userName } from '../../src/probes/support/accounts.js';
import { probe } from '../support/probe.js';

const isRoot = process.getuid?.() === 0;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fg-file-'));
  await mkdir(path.join(root, 'etc/app'), { recursive: true });
  await writeFile(path.join(root, 'etc/app/.env'), 'TOKEN=hunter2\n');
  await chmod(path.join(root, 'etc/app/.env'), 0o640);
  await writeFile(path.join(root, 'etc/app/other'), 'x');
  await chmod(path.join(root, 'etc/app/other'), 0o600);
  if (isRoot) await chown(path.join(root, 'etc/app/other'), 65534, 65534);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('file', () => {
  it('passes for a present file with the expected mode, owner and group (names)', async () => {
    const me = userInfo();
    const r = await probe('file', { path: '/etc/app/.env', mode: '0640', owner: userName(me.uid), group: groupName(me.gid) }, { root });
    expect(r.status).toBe('pass');
    expect(r.observed).toMatchObject({ present: true, mode: '0640', owner: userName(me.uid) });
  });

  it('accepts a three-digit mode and numeric owner ids', async () => {
    const me = userInfo();
    const r = await probe('file', { path: '/etc/app/.env', mode: '640', owner: String(me.uid), group: String(me.gid) }, { root });
    expect(r.status).toBe('pass');
  });

  it('fails naming what differs when the mode is wrong', async () => {
    const r = await probe('file', { path: '/etc/app/.env', mode: '0600' }, { root });
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatch(/mode 0640, expected 0600/);
  });

  it.skipIf(!isRoot)('fails on another owner and group, read from the real file (needs root to chown)', async () => {
    const r = await probe('file', { path: '/etc/app/other', mode: '0600', owner: 'root', group: 'root' }, { root });
    expect(r.status).toBe('fail');
    expect(r.evidence).toContain(`owner ${userName(65534)}, expected root`);
    expect(r.evidence).toContain(`group ${groupName(65534)}, expected root`);
  });

  it('says that an expected owner or group does not exist on the host', async () => {
    const r = await probe('file', { path: '/etc/app/.env', owner: 'nosuchuser-fg', group: 'nosuchgroup-fg' }, { root });
    expect(r.status).toBe('fail');
    expect(r.evidence).toContain('expected nosuchuser-fg (no user named nosuchuser-fg exists on this host)');
    expect(r.evidence).toContain('expected nosuchgroup-fg (no group named nosuchgroup-fg exists on this host)');
  });

  it('fails (not errors) for an absent file and for a directory', async () => {
    expect((await probe('file', { path: '/etc/app/missing' }, { root })).status).toBe('fail');
    const dir = await probe('file', { path: '/etc/app' }, { root });
    expect(dir.status).toBe('fail');
    expect(dir.evidence).toMatch(/is a directory, not a file/);
  });

  it('never opens the file: its content does not appear and an unreadable file still stats', async () => {
    await chmod(path.join(root, 'etc/app/.env'), 0o000);
    const r = await probe('file', { path: '/etc/app/.env' }, { root });
    await chmod(path.join(root, 'etc/app/.env'), 0o640);
    expect(r.status).toBe('pass');
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  it.skipIf(isRoot)('errors, never passes, when the parent cannot be searched (needs a non-root user)', async () => {
    await chmod(path.join(root, 'etc/app'), 0o000);
    const r = await probe('file', { path: '/etc/app/.env' }, { root });
    await chmod(path.join(root, 'etc/app'), 0o755);
    expect(r.status).toBe('error');
  });
});

describe('dir', () => {
  it('passes when every directory exists and lists the absent ones otherwise', async () => {
    expect((await probe('dir', { paths: ['/etc', '/etc/app'] }, { root })).status).toBe('pass');
    const r = await probe('dir', { paths: ['/etc/app', '/var/lib/cutter/runs', '/var/lib/cutter/locks'] }, { root });
    expect(r.status).toBe('fail');
    expect(r.observed).toEqual({ present: ['/etc/app'], missing: ['/var/lib/cutter/runs', '/var/lib/cutter/locks'], notDirectories: [] });
  });

  it('fails when a path is a file, not a directory', async () => {
    const r = await probe('dir', { paths: ['/etc/app/.env'] }, { root });
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatch(/not directories: \/etc\/app\/.env/);
  });
});
