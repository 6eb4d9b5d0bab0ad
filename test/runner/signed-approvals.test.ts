import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadWorkflow } from '../../src/spec/load.js';
import { approveGap, listDecisions } from '../../src/runner/signoffs.js';
import { runSurvey } from '../../src/runner/workflow.js';
import { openSession } from '../../src/runner/session.js';
import { ConfigError } from '../../src/errors.js';
import { setupSeedHost, O8, type SeedFixture } from '../support/seed.js';

function keypair(dir: string, name: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const type = Buffer.from('ssh-ed25519');
  const blob = Buffer.concat([Buffer.alloc(4), type, Buffer.alloc(4), raw]);
  blob.writeUInt32BE(type.length, 0);
  blob.writeUInt32BE(raw.length, 4 + type.length);
  const pem = path.join(dir, `${name}.pem`);
  return { pem, privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, ssh: `ssh-ed25519 ${blob.toString('base64')}` };
}

describe('signed approvals (approvals: {signed: true, allowedSigners})', () => {
  let fx: SeedFixture;
  beforeEach(async () => {
    fx = await setupSeedHost();
  });
  afterEach(() => fx.cleanup());

  it('count only when signed by the principal’s key from the allowed-signers file', async () => {
    const alice = keypair(fx.root, 'alice');
    const bob = keypair(fx.root, 'bob');
    const mallory = keypair(fx.root, 'mallory');
    for (const k of [alice, bob, mallory]) await writeFile(k.pem, k.privatePem);
    await writeFile(path.join(fx.root, 'allowed_signers'), `# approvers\nalice ${alice.ssh} alice@laptop\nbob ${bob.ssh}\n`);
    const spec = (await readFile(O8, 'utf8')).replace('gates:\n', 'approvals:\n  signed: true\n  allowedSigners: allowed_signers\n\ngates:\n');
    const file = path.join(fx.root, 'o8-signed.yaml');
    await writeFile(file, spec);
    const wf = await loadWorkflow(file, { env: fx.env });
    const as = (actor: string) => openSession({ workflow: wf, store: fx.store, actor, root: fx.root, env: fx.env });

    await expect(approveGap(as('alice'), 'GAP-7')).rejects.toBeInstanceOf(ConfigError);
    const signed = await approveGap(as('alice'), 'GAP-7', { keyFile: alice.pem });
    expect(signed.unauthenticated).toBe(false);
    await approveGap(as('bob'), 'GAP-7', { keyFile: mallory.pem }); // bob's name, someone else's key
    await approveGap(as('mallory'), 'GAP-8', { keyFile: mallory.pem }); // not an allowed signer

    const list = await listDecisions(as('auditor'));
    expect(list.signed).toBe(true);
    expect(list.approvals.map((a) => `${a.principal}:${a.counts ? 'counts' : a.why}`)).toEqual([
      'alice:counts',
      "bob:bad signature: not made by bob's key over this approval",
      'mallory:mallory is not in the allowed-signers file',
    ]);
    const s = as('surveyor');
    const { report } = await runSurvey(s);
    expect(report.gaps.find((g) => g.id === 'GAP-7')!.checks[0]!.evidence).toBe('1 of 2 approval(s): alice');
    await s.close();

    await approveGap(as('bob'), 'GAP-7', { keyFile: bob.pem });
    const again = await runSurvey(as('surveyor'));
    expect(again.report.gaps.find((g) => g.id === 'GAP-7')!.status).toBe('CLOSED');
  });

  it('detects an edited approval: changing its signing time breaks the signature', async () => {
    const alice = keypair(fx.root, 'alice');
    await writeFile(alice.pem, alice.privatePem);
    await writeFile(path.join(fx.root, 'allowed_signers'), `alice ${alice.ssh}\n`);
    const file = path.join(fx.root, 'o8-signed.yaml');
    await writeFile(file, (await readFile(O8, 'utf8')).replace('gates:\n', 'approvals:\n  signed: true\n  allowedSigners: allowed_signers\n\ngates:\n'));
    const wf = await loadWorkflow(file, { env: fx.env });
    const s = openSession({ workflow: wf, store: fx.store, actor: 'alice', root: fx.root, env: fx.env });
    await approveGap(s, 'GAP-7', { keyFile: alice.pem });
    const ledger = fx.store.ledgerFile;
    const lines = (await readFile(ledger, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const approval = lines.find((e) => e.type === 'approval.granted');
    approval.data.signedAt = '2000-01-01T00:00:00.000Z';
    await writeFile(ledger, lines.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const list = await listDecisions(s);
    expect(list.approvals[0]!.why).toMatch(/bad signature/);
  });
});
