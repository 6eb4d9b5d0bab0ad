import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBackupKey } from '../../src/demo/seed-host.js';
import { snapshotTree } from '../support/host-snapshot.js';
import { probe } from '../support/probe.js';

const FPR = 'E868F23FDBCB5600EDC84F92D57AD4D1B5C582CD';
let hasGpg = true;
try {
  execFileSync('gpg', ['--version'], { stdio: 'ignore' });
} catch {
  hasGpg = false;
}

describe.skipIf(!hasGpg)('gpg.key (real gpg, throw-away GNUPGHOME; skipped without gpg on PATH)', () => {
  let empty: string;
  let withKey: string;
  beforeAll(async () => {
    empty = await mkdtemp(path.join(tmpdir(), 'fg-gpg-empty-'));
    withKey = await mkdtemp(path.join(tmpdir(), 'fg-gpg-key-'));
    const asc = path.join(withKey, '..', `${path.basename(withKey)}.asc`);
    writeFileSync(asc, await demoBackupKey());
    execFileSync('gpg', ['--homedir', withKey, '--batch', '--no-autostart', '--import', asc], { stdio: 'ignore' });
    await rm(asc);
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
    await rm(withKey, { recursive: true, force: true });
  });

  it('fails on an empty keyring without writing to it (gpg would create pubring.kbx and trustdb.gpg)', async () => {
    const r = await probe('gpg.key', { any: true }, { env: { ...process.env, GNUPGHOME: empty } });
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatch(/keyring empty/);
    expect(await readdir(empty)).toEqual([]);
  });

  it('finds any key and a key by fingerprint (spaces and case ignored), leaving the home unchanged', async () => {
    const before = await snapshotTree(withKey);
    const env = { ...process.env, GNUPGHOME: withKey };
    expect(await probe('gpg.key', { any: true }, { env })).toMatchObject({ status: 'pass', observed: { keys: 1, fingerprints: [FPR] } });
    const spaced = FPR.toLowerCase().replace(/(.{4})/g, '$1 ');
    expect((await probe('gpg.key', { fingerprint: spaced }, { env })).status).toBe('pass');
    expect((await probe('gpg.key', { fingerprint: 'A'.repeat(40) }, { env })).status).toBe('fail');
    expect(await snapshotTree(withKey)).toEqual(before);
  });

  it('resolves `home` under the host root', async () => {
    const r = await probe('gpg.key', { any: true, home: `/${path.basename(withKey)}` }, { root: path.dirname(withKey) });
    expect(r.status).toBe('pass');
  });
});
