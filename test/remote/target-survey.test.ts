import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { flipgate } from '../support/cli.js';
import { snapshotDatabase, snapshotTree } from '../support/host-snapshot.js';
import { leakyO8, O8, type SeedFixture, setupSeedHost } from '../support/seed.js';
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js';

const skip = sshdUnavailable();
const SECRET = 'Pl4nted-R3mote-7c41d0';

async function filesUnder(dir: string): Promise<string> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(await readFile(path.join(e.parentPath, e.name), 'utf8'));
  return out.join('\n');
}

describe.skipIf(!!skip)(`a survey of the seed-state host over SSH${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let sshd: TestSshd;
  let fx: SeedFixture;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  beforeEach(async () => {
    fx = await setupSeedHost({ secret: SECRET });
    env = { ...fx.env, FLIPGATE_SSH_CONFIG: sshd.configFile, FLIPGATE_ACTOR: 'surveyor' };
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  const survey = (store: string, extra: string[]) =>
    flipgate(['survey', '--workflow', O8, '--root', fx.root, '--store', path.join(fx.root, 'state', store), ...extra], {
      env,
      cwd: fx.root,
    });

  it('prints the same table as the local survey and leaves files, modes, the keyring home and the database unchanged', async () => {
    await fx.host.provision('GAP-3'); // a keyring with a key, so gpg has something to list
    const files = await snapshotTree(fx.root, ['state']);
    const scratch = async () => (await readdir(tmpdir())).filter((f) => f.startsWith('flipgate-gpg.')).sort();
    const scratchBefore = await scratch();
    const db = await snapshotDatabase(fx.db.admin, fx.db.schema, fx.db.prefix);
    const local = await survey('local.json', []);
    const remote = await survey('remote.json', ['--target', 'ssh://target']);
    const sameClock = (out: string) => out.replace(/^Last probed: \S+/m, 'Last probed: (time)').replace(/^(\s+read )\S+/m, '$1(time)');
    expect(remote.stderr).toBe(local.stderr);
    expect(sameClock(remote.stdout)).toBe(sameClock(local.stdout));
    expect(remote.code).toBe(local.code);
    expect(remote.stdout).toContain('GAP-3');
    expect(await snapshotTree(fx.root, ['state'])).toEqual(files);
    expect(await scratch()).toEqual(scratchBefore); // gpg's throw-away copy of the keyring is gone
    expect(await snapshotDatabase(fx.db.admin, fx.db.schema, fx.db.prefix)).toEqual(db);
  });

  it('records the target on the round and on every verdict, and never lets the planted secret out, even from checks built to leak it', async () => {
    const leaky = path.join(fx.root, 'leaky.yaml');
    await writeFile(leaky, await leakyO8(fx.root));
    const outputs: string[] = [];
    for (const format of ['table', 'json', 'markdown', 'junit']) {
      const r = await flipgate(
        [
          'survey',
          '--workflow',
          leaky,
          '--root',
          fx.root,
          '--store',
          path.join(fx.root, 'state', 'remote.json'),
          '--target',
          'ssh://target',
          '--format',
          format,
        ],
        { env, cwd: fx.root },
      );
      expect(r.code).toBe(1);
      outputs.push(r.stdout, r.stderr);
    }
    const all = outputs.join('\n');
    expect(all).toMatch(/exited 3, expected 0/); // the leaky checks ran on the target
    const store = await readFile(path.join(fx.root, 'state', 'remote.events.jsonl'), 'utf8');
    const events = store
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; data?: { host?: string } });
    const rounds = events.filter((e) => e.type === 'survey' || e.type === 'gap.status');
    expect(rounds.length).toBeGreaterThan(1);
    for (const e of rounds) expect(e.data?.host).toBe('ssh://target');
    expect(`${all}${await filesUnder(path.join(fx.root, 'state'))}`).not.toContain(SECRET);
  });

  it('names the refused host key in the table, with every host check ERROR and exit 1', async () => {
    const r = await survey('unknown.json', ['--target', 'ssh://unknown-key']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR/);
    expect(r.stdout).toMatch(/ssh:\/\/unknown-key: .*host key/i);
    expect(r.stdout).not.toMatch(/✅ CLOSED/);
  });
});
