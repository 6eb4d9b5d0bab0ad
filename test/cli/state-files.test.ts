import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digest } from '../../src/support/digest.js';
import { flipgate } from '../support/cli.js';

// A workflow of file checks only (no Postgres): GAP-2 needs one approval; the flip touches a file.
const spec = `id: files
title: State files
vars:
  APP: /opt/app
killSwitch: { id: switch, kind: file.contains, path: "\${APP}/switch.conf", pattern: '^enabled\\s*=\\s*false' }
flip: { command: ["/bin/true"] }
disable: { command: ["/bin/true"] }
gates:
  - { id: G1, title: Files in place, requires: [GAP-1] }
  - { id: G2, title: Approved, requires: [GAP-2] }
gaps:
  - id: GAP-1
    title: Config present
    checks:
      - { id: config, kind: file, path: "\${APP}/app.conf", mode: "0640" }
  - id: GAP-2
    title: Signed off
    checks:
      - { id: signoff, kind: approval, min: 1 }
`;

describe('the files under state/ beside the ledger', () => {
  let dir: string;
  let args: string[];
  let state: string;
  let env: NodeJS.ProcessEnv;
  // Commands that probe the host take --root; the others do not.
  const probing = new Set(['advance', 'survey', 'flip']);
  const run = (cmd: string[], extra: NodeJS.ProcessEnv = {}) =>
    flipgate([...cmd, ...args, ...(probing.has(cmd[0]!) ? ['--root', dir] : [])], { env: { ...env, ...extra } });
  const statusJson = async (extra: NodeJS.ProcessEnv = {}) => {
    const r = await run(['status', '--json'], extra);
    return { ...r, json: JSON.parse(r.stdout) as Record<string, unknown> };
  };
  // What status says about the workflow, leaving out how the view was obtained.
  const standing = (j: Record<string, unknown>) => ({ ...j, view: undefined });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'flipgate-state-'));
    await mkdir(path.join(dir, 'opt/app'), { recursive: true });
    await writeFile(path.join(dir, 'opt/app/switch.conf'), 'enabled = false\n');
    await writeFile(path.join(dir, 'opt/app/app.conf'), 'x=1\n');
    await chmod(path.join(dir, 'opt/app/app.conf'), 0o640);
    const wf = path.join(dir, 'wf.yaml');
    await writeFile(wf, spec);
    state = path.join(dir, 'state');
    args = ['--workflow', wf, '--store', path.join(state, 'files.json')];
    env = { ...process.env, FLIPGATE_ACTOR: 'ops' };
    expect((await run(['advance'])).code).toBe(0); // G1 → G2
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('hold no workflow: status reads the workflow file every time, shows a change at once, and reports an invalid one (exit 2)', async () => {
    const wf = args[1]!;
    expect((await statusJson()).json.title).toBe('State files');
    await writeFile(wf, spec.replace('title: State files', 'title: Renamed'));
    expect((await statusJson()).json.title).toBe('Renamed');
    await writeFile(wf, spec.replace('mode: "0640"', 'mode: 0640'));
    const bad = await run(['status']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/mode/);
  });

  it('hold no workflow: a cache file from an older flipgate, with a spec that drops GAP-2 and another flip command, changes nothing', async () => {
    const forgedSpec = {
      id: 'files',
      title: 'State files',
      killSwitch: { id: 'switch', kind: 'file', path: '/opt/app/switch.conf' },
      flip: { command: ['/bin/sh', '-c', 'touch /tmp/pwned'] },
      gates: [{ id: 'G1', title: 'x', requires: ['GAP-1'] }],
      gaps: [{ id: 'GAP-1', title: 'x', checks: [{ id: 'c', kind: 'file', path: '/opt/app/app.conf' }] }],
    };
    await writeFile(
      path.join(state, 'files.cache.json'),
      JSON.stringify({
        note: 'flipgate cache',
        build: 'any',
        workflow: { source: spec, env: {}, loaded: { spec: forgedSpec, vars: {}, hash: 'x', sourceHash: 'x' } },
      }),
    );
    const plan = await run(['flip', '--as', 'carol', '--json']);
    const flip = JSON.parse(plan.stdout);
    expect(flip.command).toEqual(['/bin/true']);
    expect(flip.outcome).toBe('refused');
    expect(flip.guards.find((g: { guard: string }) => g.guard.startsWith('GAP-2'))).toMatchObject({ ok: false });
    const approve = await run(['approve', 'GAP-2', '--as', 'alice']);
    expect(approve.code).toBe(0);
    expect((await run(['advance'])).code).toBe(0);
    expect((await statusJson()).json.state).toBe('armed');
  });

  it('name an edited view instead of believing it: status never prints a standing the ledger does not hold', async () => {
    const truth = await statusJson();
    expect(truth.json.state).toBe('G2');
    const viewFile = path.join(state, 'files.json');
    const doc = JSON.parse(await readFile(viewFile, 'utf8'));
    const lie = structuredClone(doc);
    lie.body.view.state = 'armed';
    lie.body.view.gaps['GAP-2'] = { ...lie.body.view.gaps['GAP-1'], status: 'CLOSED' };
    await writeFile(viewFile, JSON.stringify(lie));
    const edited = await statusJson();
    expect(standing(edited.json)).toEqual(standing(truth.json));
    expect(edited.json.view).toMatchObject({
      source: 'rebuilt',
      reason: `the view ${viewFile} does not match its digest: it was edited after flipgate wrote it`,
    });
    expect(edited.stderr).toContain(`the view was rebuilt from the ledger: the view ${viewFile} does not match its digest`);

    // Resealed by someone who recomputes the digest but lacks the key: with signing configured, named too.
    const keys = generateKeyPairSync('ed25519');
    const keyFile = path.join(dir, 'ledger-key.pem');
    await writeFile(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const signed = { FLIPGATE_SIGNING_KEY: keyFile };
    expect((await run(['survey'], signed)).code).toBe(1); // adopts the ledger, writes a signed view
    const signedDoc = JSON.parse(await readFile(viewFile, 'utf8'));
    const resealed = structuredClone(signedDoc);
    resealed.body.view.state = 'armed';
    resealed.digest = digest({ flipgateView: 1, workflow: 'files', body: resealed.body });
    await writeFile(viewFile, JSON.stringify(resealed));
    const named = await statusJson(signed);
    expect(named.json.state).toBe('G2');
    expect(named.json.view).toMatchObject({
      source: 'rebuilt',
      reason: expect.stringMatching(/carries a signature that does not verify with key [0-9a-f]{16}/),
    });
  });

  it('each either changes nothing or is named when edited, and what a killed command left is removed by the next', async () => {
    expect((await run(['approve', 'GAP-2', '--as', 'alice'])).code).toBe(0);
    const before = await statusJson();
    expect(before.stderr).toBe('');
    // What a killed command could leave: a lock and a temp file of a process that is gone; an old cache.
    const child = await import('node:child_process');
    const dead = await new Promise<number>((r) => {
      const c = child.spawn(process.execPath, ['-e', '0']);
      c.on('close', () => r(c.pid!));
    });
    const host = hostname().replace(/[^A-Za-z0-9-]/g, '_');
    await symlink(`flipgate-lock:${dead}:abc:${hostname()}`, path.join(state, 'files.events.jsonl.lock'));
    await writeFile(path.join(state, `.files.json.${host}.${dead}.0123abcd.tmp`), '{"partial":');
    await writeFile(path.join(state, 'files.cache.json'), '{}');
    const files = (await readdir(state)).filter((f) => f !== 'files.events.jsonl');
    expect(files.length).toBeGreaterThanOrEqual(4);
    const edits: [string, (f: string) => Promise<void>][] = [
      ['replaced by junk', (f) => writeFile(f, 'junk')],
      ['emptied', (f) => writeFile(f, '')],
      ['removed', (f) => rm(f, { force: true })],
    ];
    for (const name of files) {
      for (const [how, edit] of edits) {
        const file = path.join(state, name);
        const original = await readFile(file).catch(() => undefined);
        if (name.endsWith('.lock')) await rm(file, { force: true }).then(() => symlink(`flipgate-lock:${dead}:abc:${hostname()}`, file));
        else await edit(file);
        const after = await statusJson();
        const shown = `${name} ${how}`;
        expect(after.code, shown).toBe(before.code);
        expect(standing(after.json), shown).toEqual(standing(before.json));
        // Either it changed nothing at all, or the note names the file that was not believed.
        if (after.stderr) expect(after.stderr, shown).toContain(file);
        if (original !== undefined && !name.endsWith('.lock') && !name.endsWith('.tmp')) await writeFile(file, original);
      }
    }
    // The next command that records rewrites the view; nothing a dead process left remains.
    expect((await run(['survey'])).code).toBe(0);
    expect((await readdir(state)).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
    expect((await statusJson()).stderr).toBe('');
  });
});
