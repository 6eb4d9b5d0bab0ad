import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseAllowedSigners } from '../../src/signing/allowed-signers.js';
import { claimText, type DecisionClaim, makeClaim, parseClaim } from '../../src/signing/claim.js';
import { signClaim, verifyClaim } from '../../src/signing/sshsig.js';

let dir: string;
const key = (name: string) => path.join(dir, name);
const pub = async (name: string) => (await readFile(`${key(name)}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
const signers = async (lines: string) => {
  const file = path.join(dir, `allowed_signers.${Math.random().toString(36).slice(2)}`);
  await writeFile(file, lines);
  return file;
};
const head = { seq: 41, hash: 'a'.repeat(64) };
const specHash = 'b'.repeat(64);
const claimBy = (principal: string, over: Partial<DecisionClaim> = {}): DecisionClaim => ({
  ...makeClaim({ workflow: 'web-go-live', kind: 'approval', gap: 'GAP-2', principal, head, specHash, time: '2026-06-01T12:00:00.000Z' }),
  ...over,
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'flipgate-sshsig-test-'));
  for (const name of ['alice', 'bob', 'mallory', 'carol'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key(name)]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the claim a signature covers', () => {
  it('is canonical JSON of one shape, with the principal normalised', () => {
    const c = makeClaim({
      workflow: 'web',
      kind: 'waiver',
      gap: 'GAP-1',
      principal: ' Alice ',
      head,
      specHash,
      time: new Date('2026-06-01T12:00:00Z'),
      until: '2026-06-30T23:59:59.999Z',
      reason: 'config lands next sprint',
    });
    expect(c.principal).toBe('alice');
    const reordered = Object.fromEntries(Object.entries(c).reverse()) as unknown as DecisionClaim;
    expect(claimText(reordered)).toBe(claimText(c));
    expect(claimText(c)).toMatch(
      /^\{"gap":"GAP-1","head":\{"hash":"a{64}","seq":41\},"kind":"waiver","principal":"alice","reason":"config lands next sprint","specHash":"b{64}","time":"2026-06-01T12:00:00.000Z","until":"2026-06-30T23:59:59.999Z","v":1,"workflow":"web"\}$/,
    );
  });

  it('refuses a waiver claim without until or reason, an approval claim with them, and a look-alike principal', () => {
    const base = { workflow: 'web', gap: 'GAP-1', head, specHash, time: new Date() };
    expect(() => makeClaim({ ...base, kind: 'waiver', principal: 'alice' })).toThrow(ConfigError);
    expect(() => makeClaim({ ...base, kind: 'approval', principal: 'alice', reason: 'why' })).toThrow(ConfigError);
    expect(() => makeClaim({ ...base, kind: 'approval', principal: '\u0430lice' })).toThrow(/U\+0430/);
    expect(parseClaim({ ...claimBy('alice'), principal: 'Alice' })).toMatchObject({ ok: false });
    expect(parseClaim({ ...claimBy('alice'), time: '2026-02-30T00:00:00Z' })).toEqual({
      ok: false,
      problem: expect.stringMatching(/^time:/),
    });
    expect(parseClaim({ ...claimBy('alice'), note: 'unsigned words' })).toEqual({ ok: false, problem: 'note: not a field of a claim' });
    expect(parseClaim(claimBy('alice'))).toMatchObject({ ok: true });
  });
});

describe('SSH signatures of claims (ssh-keygen -Y, namespace flipgate)', () => {
  it('verifies the principal’s own signature, and a line naming Alice signs for alice', async () => {
    const file = await signers(`# approvers\nAlice ${await pub('alice')} alice@laptop\nbob ${await pub('bob')}\n`);
    const claim = claimBy('alice');
    const { signature } = await signClaim(claim, { keyFile: key('alice') });
    expect(signature).toMatch(/^-----BEGIN SSH SIGNATURE-----\n/);
    const v = await verifyClaim(claim, signature, { allowedSigners: file });
    expect(v).toMatchObject({ ok: true, principal: 'alice', fingerprint: expect.stringMatching(/^SHA256:/) });
  });

  it('rejects an altered claim, another principal’s key, an unknown key, and a signature made for git', async () => {
    const file = await signers(`alice ${await pub('alice')}\nbob ${await pub('bob')}\n`);
    const claim = claimBy('alice');
    const { signature } = await signClaim(claim, { keyFile: key('alice') });
    expect(await verifyClaim({ ...claim, gap: 'GAP-3' }, signature, { allowedSigners: file })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(await verifyClaim({ ...claim, head: { seq: 42, hash: head.hash } }, signature, { allowedSigners: file })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });

    const bobSigned = await signClaim(claim, { keyFile: key('bob') }); // alice's claim, bob's key
    expect(await verifyClaim(claim, bobSigned.signature, { allowedSigners: file })).toMatchObject({
      ok: false,
      reason: 'other-principal',
      signers: ['bob'],
    });
    const mallorySigned = await signClaim(claim, { keyFile: key('mallory') });
    const unknown = await verifyClaim(claim, mallorySigned.signature, { allowedSigners: file });
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(unknown.evidence).toMatch(/SHA256:.* is not in /);

    const msg = path.join(dir, 'claim.txt');
    await writeFile(msg, claimText(claim));
    execFileSync('ssh-keygen', ['-q', '-Y', 'sign', '-n', 'git', '-f', key('alice'), msg], { stdio: 'ignore' });
    const gitSig = await readFile(`${msg}.sig`, 'utf8');
    expect(await verifyClaim(claim, gitSig, { allowedSigners: file })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('honours namespaces= on the signer’s line', async () => {
    const claim = claimBy('alice');
    const { signature } = await signClaim(claim, { keyFile: key('alice') });
    const gitOnly = await signers(`alice namespaces="git" ${await pub('alice')}\n`);
    expect(await verifyClaim(claim, signature, { allowedSigners: gitOnly })).toMatchObject({ ok: false, reason: 'namespace-not-allowed' });
    const both = await signers(`alice namespaces="git,flipgate" ${await pub('alice')}\n`);
    expect(await verifyClaim(claim, signature, { allowedSigners: both })).toMatchObject({ ok: true });
  });

  it('judges valid-after and valid-before at the claim’s time, not at the time of checking', async () => {
    const claim = claimBy('alice'); // signed "at" 2026-06-01T12:00:00Z
    const { signature } = await signClaim(claim, { keyFile: key('alice') });
    const k = await pub('alice');
    const window = await signers(`alice valid-after="20260101Z",valid-before="20260601120100Z" ${k}\n`);
    expect(await verifyClaim(claim, signature, { allowedSigners: window })).toMatchObject({ ok: true }); // the window closed long before "now"
    expect(await verifyClaim(claim, signature, { allowedSigners: window, at: new Date('2026-06-01T12:02:00Z') })).toMatchObject({
      ok: false,
      reason: 'not-valid-at-time',
    });
    const later = await signers(`alice valid-after="20260601120100Z" ${k}\n`);
    expect(await verifyClaim(claim, signature, { allowedSigners: later })).toMatchObject({ ok: false, reason: 'not-valid-at-time' });
    const earlier = await signers(`alice valid-before="20260601115900Z" ${k}\n`);
    const expired = await verifyClaim(claim, signature, { allowedSigners: earlier });
    expect(expired).toMatchObject({ ok: false, reason: 'not-valid-at-time' });
    expect(expired.evidence).toMatch(/not valid at 2026-06-01T12:00:00.000Z/);
  });

  it('returns a verdict for a malformed claim or signature, and leaves no temp files behind', async () => {
    const file = await signers(`alice ${await pub('alice')}\n`);
    const claim = claimBy('alice');
    const { signature } = await signClaim(claim, { keyFile: key('alice') });
    expect(await verifyClaim({ ...claim, kind: 'veto' as 'approval' }, signature, { allowedSigners: file })).toMatchObject({
      ok: false,
      reason: 'malformed-claim',
    });
    expect(await verifyClaim(claim, 'not a signature', { allowedSigners: file })).toMatchObject({
      ok: false,
      reason: 'malformed-signature',
    });

    const tmp = await mkdtemp(path.join(tmpdir(), 'flipgate-tmpdir-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      await verifyClaim(claim, signature, { allowedSigners: file });
      await verifyClaim({ ...claim, gap: 'GAP-9' }, signature, { allowedSigners: file });
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('says why it cannot sign: a missing key, or a .pub with no agent holding it (exit 2)', async () => {
    const claim = claimBy('alice');
    await expect(signClaim(claim, { keyFile: key('nobody') })).rejects.toBeInstanceOf(ConfigError);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dave', '-f', key('dave')]);
    await rm(key('dave')); // the public half only
    const e = await signClaim(claim, { keyFile: `${key('dave')}.pub`, env: { PATH: process.env.PATH } }).catch((x) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/could not sign with .*dave\.pub/);
    expect(e.message).toMatch(/needs a running ssh-agent/);
  });

  it('refuses an allowed-signers file with a look-alike, a wildcard or a malformed line, naming the line', async () => {
    const k = await pub('alice');
    expect(() => parseAllowedSigners(`alice ${k}\n\u0430lice ${k}\n`, 'as')).toThrow(/^as:2: .*"\u0430lice" is not a valid principal/);
    expect(() => parseAllowedSigners(`*@example.com ${k}\n`, 'as')).toThrow(/as:1: .*wildcards are not allowed/);
    expect(() => parseAllowedSigners(`alice\n`, 'as')).toThrow(/as:1: expected "principal/);
    expect(() => parseAllowedSigners(`alice from="10.0.0.1" ${k}\n`, 'as')).toThrow(/as:1: unknown or malformed option/);
    expect(parseAllowedSigners(`"Alice,BOB" cert-authority,namespaces="flipgate" ${k} comment\n`, 'as')[0]).toMatchObject({
      principals: ['alice', 'bob'],
      options: 'cert-authority,namespaces="flipgate"',
    });
  });
});

describe('signing through ssh-agent', () => {
  let agent: ChildProcess | undefined;
  let socket: string;
  beforeAll(async () => {
    socket = path.join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
    execFileSync('ssh-add', ['-q', key('carol')], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    await rm(key('carol')); // only the agent holds carol's private key now
  });
  afterAll(() => {
    if (agent?.pid) process.kill(agent.pid, 'SIGTERM');
  });

  it('signs with the public key file while the agent holds the private half, and the signature verifies', async () => {
    const file = await signers(`carol ${await pub('carol')}\n`);
    const claim = claimBy('carol');
    const { signature } = await signClaim(claim, { keyFile: `${key('carol')}.pub`, agentSocket: socket });
    expect(await verifyClaim(claim, signature, { allowedSigners: file })).toMatchObject({ ok: true, principal: 'carol' });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'erin', '-f', key('erin')]);
    await rm(key('erin'));
    await expect(signClaim(claim, { keyFile: `${key('erin')}.pub`, agentSocket: socket })).rejects.toThrow(/could not sign.*ssh-add -l/); // the agent does not hold erin's key
  });
});
