import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flipgate } from '../support/cli.js';

// The workflow names its own witness, beside it in audit/: a path there is relative to the workflow file.
const spec = (witness: string) => `id: witnessed
title: Witnessed
ledger: { witness: ${witness} }
killSwitch: { id: switch, kind: file.contains, path: "/opt/app/switch.conf", pattern: '^enabled\\s*=\\s*false' }
gates:
  - { id: G1, title: Files in place, requires: [GAP-1] }
gaps:
  - id: GAP-1
    title: Config present
    checks:
      - { id: config, kind: file, path: "/opt/app/app.conf" }
`;

describe('a witness named by the workflow, by FLIPGATE_WITNESS or by --witness', () => {
  let dir: string;
  let base: string[];
  const env = () => ({ ...process.env, FLIPGATE_ACTOR: 'ops' });
  const ledger = () => path.join(dir, 'state', 'witnessed.events.jsonl');

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'flipgate-witness-'));
    await mkdir(path.join(dir, 'opt/app'), { recursive: true });
    await mkdir(path.join(dir, 'audit'), { recursive: true });
    await writeFile(path.join(dir, 'opt/app/switch.conf'), 'enabled = false\n');
    await writeFile(path.join(dir, 'opt/app/app.conf'), 'x\n');
    await chmod(path.join(dir, 'opt/app/app.conf'), 0o640);
    await writeFile(path.join(dir, 'wf.yaml'), spec('audit/head.json'));
    base = ['--workflow', path.join(dir, 'wf.yaml'), '--store', path.join(dir, 'state', 'witnessed.json')];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('receives the head after every recorded event, and audit verify refuses a ledger cut shorter than it', async () => {
    expect((await flipgate(['survey', ...base, '--root', dir], { env: env() })).code).toBe(0);
    const lines = (await readFile(ledger(), 'utf8')).trim().split('\n');
    const head = JSON.parse(await readFile(path.join(dir, 'audit/head.json'), 'utf8'));
    expect(head).toMatchObject({
      flipgateCheckpoint: 1,
      workflow: 'witnessed',
      seq: lines.length,
      hash: JSON.parse(lines[lines.length - 1]!).hash,
    });
    expect((await flipgate(['audit', 'verify', ...base], { env: env() })).code).toBe(0);

    await writeFile(ledger(), `${lines.slice(0, -1).join('\n')}\n`);
    await rm(path.join(dir, 'state', 'witnessed.json'));
    const v = await flipgate(['audit', 'verify', ...base], { env: env() });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(
      new RegExp(
        `truncated: the ledger ends at event ${lines.length - 1}, but the witness at .*audit/head\\.json .* records event ${lines.length}`,
      ),
    );
    const survey = await flipgate(['survey', ...base, '--root', dir], { env: env() });
    expect(survey.code).toBe(1);
    expect(survey.stderr).toMatch(/refused: .* truncated/);
  });

  it('takes FLIPGATE_WITNESS, and --witness before it, over the workflow', async () => {
    const fromEnv = path.join(dir, 'env-head.json');
    const fromFlag = path.join(dir, 'flag-head.json');
    await flipgate(['survey', ...base, '--root', dir], { env: { ...env(), FLIPGATE_WITNESS: fromEnv } });
    await flipgate(['survey', ...base, '--root', dir, '--witness', fromFlag], { env: { ...env(), FLIPGATE_WITNESS: fromEnv } });
    const seqOf = async (f: string) => JSON.parse(await readFile(f, 'utf8')).seq as number;
    expect(await seqOf(fromFlag)).toBeGreaterThan(await seqOf(fromEnv));
    await expect(readFile(path.join(dir, 'audit/head.json'))).rejects.toThrow(/ENOENT/);
  });
});
