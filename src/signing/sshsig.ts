import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { formatAllowedSigners, readAllowedSigners } from './allowed-signers.js';
import { claimText, type DecisionClaim, parseClaim, signingNamespace } from './claim.js';

export interface ClaimSignOptions {
  /**
   * A private key file (`~/.ssh/id_ed25519`), or a public key file (`~/.ssh/id_ed25519.pub`) whose
   * private half the ssh-agent holds: ssh-keygen then asks the agent to sign.
   */
  keyFile: string;
  /** The agent's socket; default `$SSH_AUTH_SOCK` of `env`. */
  agentSocket?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Default 120 s: ssh-keygen may be waiting for a human to type a passphrase. */
  timeoutMs?: number;
}

export interface SignedClaim {
  claim: DecisionClaim;
  /** The armored SSH signature (`-----BEGIN SSH SIGNATURE-----` …). */
  signature: string;
}

export interface ClaimVerifyOptions {
  /** The workflow's allowed-signers file (OpenSSH's format). */
  allowedSigners: string;
  /** Judge the signers' valid-after/valid-before at this time; default the claim's own time. */
  at?: Date;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Why a signature does not count. */
export type ClaimRejection =
  | 'malformed-claim' // the claim is not a well-formed flipgate claim
  | 'malformed-signature' // not an armored SSH signature
  | 'bad-signature' // not a signature over this claim in the flipgate namespace (altered, or made for another purpose)
  | 'unknown-key' // the key is in no line of the allowed-signers file
  | 'other-principal' // the key signs for other principals, not the claim's
  | 'not-valid-at-time' // the key's line is outside its valid-after/valid-before window at the claim's time
  | 'namespace-not-allowed'; // the key's line restricts it to other namespaces=

export type ClaimVerdict =
  | { ok: true; principal: string; fingerprint: string; evidence: string }
  | { ok: false; reason: ClaimRejection; evidence: string; signers?: string[] };

interface Run {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

// ssh-keygen is OpenSSH's own SSHSIG implementation; no npm package verifies these signatures.
async function sshKeygen(args: string[], input: string, opts: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  const { execa } = await import('execa');
  const r = await execa('ssh-keygen', args, {
    input,
    reject: false,
    env: opts.env,
    extendEnv: opts.env === undefined,
    timeout: opts.timeoutMs,
    stripFinalNewline: false,
  });
  if (r.failed && r.exitCode === undefined) {
    const code = (r as { code?: string }).code;
    if (code === 'ENOENT')
      throw new ConfigError('ssh-keygen is not on PATH', {
        place: { field: 'ssh-keygen' },
        fix: 'install OpenSSH 9.1 or later (apt-get install openssh-client, brew install openssh)',
      });
    throw new ConfigError(
      r.timedOut ? `ssh-keygen did not finish within ${opts.timeoutMs} ms` : `ssh-keygen could not run (${code ?? r.signal ?? 'error'})`,
      { place: { field: 'ssh-keygen' }, fix: 'check the key, the agent, and that no passphrase prompt is left waiting' },
    );
  }
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A private folder (0700) for the files ssh-keygen needs, removed whatever happens. */
async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flipgate-sshsig-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !/^Signing data on standard input/.test(l)) ?? '';

/** `-Overify-time=` in UTC, to the second. */
const verifyTime = (t: Date) => `verify-time=${t.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/**
 * Signs a claim with `ssh-keygen -Y sign -n flipgate`, with a key file or through the ssh-agent.
 * The claim is passed on stdin; nothing is written to disk.
 * @throws ConfigError (exit 2) when the claim is malformed or ssh-keygen cannot sign (no such key,
 * wrong passphrase, the agent does not hold the key).
 * @example
 * const claim = makeClaim({ workflow: 'web', kind: 'approval', gap: 'GAP-2', principal: 'alice', head, specHash, time: new Date() });
 * const { signature } = await signClaim(claim, { keyFile: `${homedir()}/.ssh/id_ed25519.pub` }); // key held by ssh-agent
 */
export async function signClaim(claim: DecisionClaim, opts: ClaimSignOptions): Promise<SignedClaim> {
  const parsed = parseClaim(claim);
  if (!parsed.ok) throw new ConfigError(`cannot sign a malformed claim: ${parsed.problem}`, { place: { field: 'claim' } });
  const base = opts.env ?? process.env;
  const agent = opts.agentSocket ?? base.SSH_AUTH_SOCK;
  const env: NodeJS.ProcessEnv = { ...base, ...(agent ? { SSH_AUTH_SOCK: agent } : {}) };
  if (!agent) delete env.SSH_AUTH_SOCK;
  const r = await sshKeygen(['-q', '-Y', 'sign', '-n', signingNamespace, '-f', opts.keyFile], claimText(parsed.claim), {
    env,
    timeoutMs: opts.timeoutMs ?? 120_000,
  });
  const signature = r.stdout.trim();
  if (r.code !== 0 || !/^-----BEGIN SSH SIGNATURE-----\n[\s\S]+\n-----END SSH SIGNATURE-----$/.test(signature)) {
    const agentHint = opts.keyFile.endsWith('.pub')
      ? agent
        ? '; ssh-add -l lists the keys the agent holds'
        : '; a .pub key needs a running ssh-agent (SSH_AUTH_SOCK) that holds its private half'
      : '';
    throw new ConfigError(`ssh-keygen could not sign with ${opts.keyFile}: ${firstLine(r.stderr) || `exit ${r.code}`}`, {
      place: { field: '--key' },
      fix: `pass your SSH private key, or its .pub with the private half in ssh-agent${agentHint}`,
    });
  }
  return { claim: parsed.claim, signature: `${signature}\n` };
}

/**
 * Verifies that `signature` is `claim.principal`'s signature over exactly this claim, with
 * `ssh-keygen -Y verify -n flipgate` against the allowed-signers file (principals normalised by the
 * principal rule), its `namespaces=`, `valid-after=` and `valid-before=` judged at the claim's time.
 * A signature that does not count is a verdict with its reason, never an exception; only a missing
 * or malformed allowed-signers file, or a missing ssh-keygen, throws (ConfigError, exit 2).
 * @example
 * const v = await verifyClaim(claim, signature, { allowedSigners: 'machines/allowed_signers' });
 * if (!v.ok) console.log(v.reason, v.evidence); // e.g. other-principal: signed by bob's key, not alice's
 */
export async function verifyClaim(claim: DecisionClaim, signature: string, opts: ClaimVerifyOptions): Promise<ClaimVerdict> {
  const parsed = parseClaim(claim);
  if (!parsed.ok) return { ok: false, reason: 'malformed-claim', evidence: parsed.problem };
  const c = parsed.claim;
  if (!/^-----BEGIN SSH SIGNATURE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END SSH SIGNATURE-----\s*$/.test(signature)) {
    return { ok: false, reason: 'malformed-signature', evidence: 'not an armored SSH signature (-----BEGIN SSH SIGNATURE-----)' };
  }
  const signers = await readAllowedSigners(opts.allowedSigners);
  const at = opts.at ?? new Date(c.time);
  const message = claimText(c);
  const run = (args: string[]) => sshKeygen(args, message, { env: opts.env, timeoutMs: opts.timeoutMs ?? 10_000 });
  return inTempDir(async (dir) => {
    const sig = path.join(dir, 'claim.sig');
    const allowed = path.join(dir, 'allowed_signers');
    await writeFile(sig, signature, { mode: 0o600 });
    await writeFile(allowed, formatAllowedSigners(signers), { mode: 0o600 });
    const ok = await run(['-Y', 'verify', '-f', allowed, '-I', c.principal, '-n', signingNamespace, '-s', sig, `-O${verifyTime(at)}`]);
    const fingerprint = /key (SHA256:[A-Za-z0-9+/=]+)/.exec(ok.stdout)?.[1];
    if (ok.code === 0 && fingerprint)
      return { ok: true, principal: c.principal, fingerprint, evidence: `signed by ${c.principal} with ${fingerprint}` };

    // Only why it failed is left to find out; the verdict is already "does not count".
    const raw = await run(['-Y', 'check-novalidate', '-n', signingNamespace, '-s', sig]);
    if (raw.code !== 0)
      return {
        ok: false,
        reason: 'bad-signature',
        evidence:
          'the signature is not over this claim in the flipgate namespace (the claim was altered, or it was signed for another purpose)',
      };
    const keyFp = /key (SHA256:[A-Za-z0-9+/=]+)/.exec(raw.stdout)?.[1] ?? 'its key';
    const find = async (file: string) => {
      const r = await run(['-Y', 'find-principals', '-f', file, '-s', sig, `-O${verifyTime(at)}`]);
      return r.code === 0
        ? r.stdout
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
        : [];
    };
    const found = await find(allowed);
    if (found.includes(c.principal))
      return {
        ok: false,
        reason: 'namespace-not-allowed',
        evidence: `${c.principal}'s key ${keyFp} is not allowed to sign in namespace "${signingNamespace}" (namespaces= in ${opts.allowedSigners})`,
      };
    if (found.length)
      return {
        ok: false,
        reason: 'other-principal',
        evidence: `signed with ${keyFp}, which signs for ${found.join(', ')}, not ${c.principal}`,
        signers: found,
      };
    const unbounded = path.join(dir, 'allowed_signers.unbounded');
    await writeFile(unbounded, formatAllowedSigners(signers, { withoutValidity: true }), { mode: 0o600 });
    const outside = await find(unbounded);
    if (outside.includes(c.principal))
      return {
        ok: false,
        reason: 'not-valid-at-time',
        evidence: `${c.principal}'s key ${keyFp} is not valid at ${at.toISOString()} (valid-after/valid-before in ${opts.allowedSigners})`,
        signers: outside,
      };
    if (outside.length)
      return {
        ok: false,
        reason: 'other-principal',
        evidence: `signed with ${keyFp}, which signs for ${outside.join(', ')} (and not at ${at.toISOString()}), not ${c.principal}`,
        signers: outside,
      };
    return { ok: false, reason: 'unknown-key', evidence: `${keyFp} is not in ${opts.allowedSigners}` };
  });
}
