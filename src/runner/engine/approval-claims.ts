import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ConfigError, Refusal } from '../../errors.js';
import { type DecisionClaim, makeClaim } from '../../signing/claim.js';
import { type ClaimVerdict, signClaim, verifyClaim } from '../../signing/sshsig.js';
import type { Head } from '../../store/types.js';
import type { Session } from './session.js';

/*
 * Signed approvals and waivers: the claim a decision's SSH signature covers, rebuilt from its record,
 * and the one place that signs (before recording) and verifies (when standing is read).
 */

/** The workflow's allowed-signers file (relative to the workflow file), when it requires signatures. */
export function allowedSignersFile(session: Pick<Session, 'wf'>): string | undefined {
  const cfg = session.wf.spec.approvals;
  if (!cfg?.signed) return undefined;
  if (!cfg.allowedSigners)
    throw new ConfigError('approvals.signed is true but no allowedSigners file is named', {
      place: { file: session.wf.file, field: 'approvals.allowedSigners' },
      fix: 'name the allowed-signers file (OpenSSH format), relative to the workflow file',
    });
  return path.resolve(path.dirname(session.wf.file), cfg.allowedSigners);
}

/** What a recorded decision carries that its claim is rebuilt from. */
export interface SignedRecord {
  gap: string;
  principal: string;
  headSeq?: number | undefined;
  head?: string | undefined;
  specHash?: string | undefined;
  signedAt?: string | undefined;
  until?: string | undefined;
  reason?: string | undefined;
}

/** The claim a recorded decision's signature must cover, or a problem when the record cannot carry one. */
export function claimOf(workflow: string, kind: 'approval' | 'waiver', r: SignedRecord): { claim: DecisionClaim } | { problem: string } {
  if (r.headSeq === undefined || !r.head || !r.specHash || !r.signedAt)
    return { problem: 'the record lacks the head, spec hash or time a signed claim covers' };
  try {
    const extra = kind === 'waiver' ? { until: r.until, reason: r.reason } : {};
    return {
      claim: makeClaim({
        workflow,
        kind,
        gap: r.gap,
        principal: r.principal,
        head: { seq: r.headSeq, hash: r.head },
        specHash: r.specHash,
        time: r.signedAt,
        ...extra,
      }),
    };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** --key, else $FLIPGATE_APPROVAL_KEY, else ~/.ssh/id_ed25519 (a .pub file signs through ssh-agent). */
export function approverKey(session: Session, keyFile: string | undefined): string {
  const chosen = keyFile ?? session.env.FLIPGATE_APPROVAL_KEY;
  if (chosen) return chosen;
  const home = session.env.HOME ?? homedir();
  for (const name of ['id_ed25519', 'id_ed25519.pub', 'id_ecdsa', 'id_ecdsa.pub']) {
    const file = path.join(home, '.ssh', name);
    if (existsSync(file)) return file;
  }
  throw new ConfigError('no SSH key to sign with', {
    place: { field: '--key' },
    fix: 'pass --key ~/.ssh/id_ed25519 (or its .pub with the key in ssh-agent), or set FLIPGATE_APPROVAL_KEY',
  });
}

/**
 * Signs a decision's claim over `head` with ssh-keygen and checks it against the allowed-signers file
 * BEFORE anything is recorded: a key that is not the principal's, or not allowed at this time or in
 * this namespace, is refused (exit 1) with ssh-keygen's reason.
 */
export async function signDecision(
  session: Session,
  parts: { kind: 'approval' | 'waiver'; gap: string; head: Head; until?: string; reason?: string },
  keyFile: string | undefined,
): Promise<{ claim: DecisionClaim; signature: string; verdict: Extract<ClaimVerdict, { ok: true }> }> {
  const signers = allowedSignersFile(session)!;
  const claim = makeClaim({
    workflow: session.wf.spec.id,
    principal: session.actor,
    specHash: session.wf.hash,
    time: session.now(),
    ...parts,
  });
  const { signature } = await signClaim(claim, { keyFile: approverKey(session, keyFile), env: session.env });
  const verdict = await verifyClaim(claim, signature, { allowedSigners: signers, env: session.env });
  if (!verdict.ok)
    throw new Refusal(
      `the signature does not count, so nothing was recorded: ${verdict.evidence}`,
      `sign with ${session.actor}'s key as listed in ${signers} (namespaces="flipgate", within its valid-after/valid-before)`,
    );
  return { claim, signature, verdict };
}

/** Verifies recorded signatures, each signature once per command (ssh-keygen runs once per claim). */
export function claimVerifier(session: Pick<Session, 'wf' | 'env'>): (claim: DecisionClaim, signature: string) => Promise<ClaimVerdict> {
  const file = allowedSignersFile(session);
  const seen = new Map<string, Promise<ClaimVerdict>>();
  return (claim, signature) => {
    const key = `${JSON.stringify(claim)}\n${signature}`;
    let v = seen.get(key);
    if (!v) {
      v = verifyClaim(claim, signature, { allowedSigners: file!, env: session.env });
      seen.set(key, v);
    }
    return v;
  };
}
