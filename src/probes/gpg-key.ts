import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { defineProbe, errored, fail, pass } from './types.js';
import { hostPath } from './support/params.js';
import { describeFsError, errnoOf, resolveHostPath } from './support/host.js';
import { runArgv } from './support/exec.js';

const keyringFiles = ['pubring.kbx', 'pubring.gpg', 'trustdb.gpg'];

/** Fingerprints of primary keys and subkeys, from `--with-colons` output. */
export function parseFingerprints(colons: string): { primary: string[]; all: string[] } {
  const primary: string[] = [];
  const all: string[] = [];
  let last = '';
  for (const line of colons.split('\n')) {
    const f = line.split(':');
    if (f[0] === 'pub' || f[0] === 'sub') last = f[0];
    if (f[0] === 'fpr' && f[9]) {
      all.push(f[9]);
      if (last === 'pub') primary.push(f[9]);
      last = '';
    }
  }
  return { primary, all };
}

const normalFpr = (s: string): string => s.replace(/\s+/g, '').toUpperCase();

/**
 * A public key is in a GnuPG keyring. gpg writes to its home even to list keys (an empty home
 * gets pubring.kbx and trustdb.gpg), so the public keyring is copied to a throw-away home first
 * and the real one is never touched.
 */
export const gpgKeyProbe = defineProbe({
  kind: 'gpg.key',
  summary: 'a public key (a fingerprint, or any key) is in the keyring of GNUPGHOME, ~/.gnupg or `home`; the keyring is not written',
  waitsOn: 'process',
  params: (z) => ({
    fingerprint: z.string().regex(/^[0-9A-Fa-f ]{16,}$/, { error: 'must be a hex fingerprint (40 hex digits for v4 keys)' }).optional(),
    any: z.literal(true).optional(),
    home: hostPath(z).optional(),
  }),
  lint: (p) =>
    (p.fingerprint === undefined) === (p.any === undefined)
      ? [{ field: 'fingerprint', problem: 'give exactly one of fingerprint: <hex> or any: true' }]
      : [],
  async run(p, ctx) {
    const home = p.home ? resolveHostPath(ctx.root, p.home) : (ctx.env.GNUPGHOME ?? path.join(ctx.env.HOME ?? homedir(), '.gnupg'));
    const shownHome = p.home ?? home;
    let present: string[];
    try {
      present = (await readdir(home)).filter((f) => keyringFiles.includes(f));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return fail(`keyring empty: ${shownHome} does not exist`, { home: shownHome, keys: 0 });
      return errored(`cannot read ${shownHome}: ${describeFsError(e)}`, { home: shownHome });
    }
    if (!present.some((f) => f.startsWith('pubring'))) return fail(`keyring empty: ${shownHome} holds no public keyring`, { home: shownHome, keys: 0 });
    const scratch = await mkdtemp(path.join(tmpdir(), 'flipgate-gpg-'));
    try {
      for (const f of present) await copyFile(path.join(home, f), path.join(scratch, f));
      const r = await runArgv(['gpg', '--homedir', scratch, '--batch', '--no-tty', '--no-autostart', '--no-auto-check-trustdb', '--with-colons', '--fixed-list-mode', '--list-keys'], {
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        env: ctx.env,
      });
      if (r.problem === 'not-found') return errored('gpg is not on PATH: install GnuPG (apt-get install gnupg) to check keys', { home: shownHome });
      if (r.problem) return errored(`gpg --list-keys: ${r.detail}`, { home: shownHome });
      if (r.exitCode !== 0 && r.exitCode !== 2) return errored(`gpg --list-keys exited ${r.exitCode}`, { home: shownHome });
      const fprs = parseFingerprints(r.stdout);
      const observed = { home: shownHome, keys: fprs.primary.length, fingerprints: fprs.primary };
      if (p.any) {
        return fprs.primary.length
          ? pass(`${fprs.primary.length} public key(s) in ${shownHome}`, observed)
          : fail(`keyring empty: no public keys in ${shownHome}`, observed);
      }
      const want = normalFpr(p.fingerprint!);
      const hit = fprs.all.some((f) => f === want || (want.length < 40 && f.endsWith(want)));
      return hit
        ? pass(`key ${want} is in ${shownHome}`, observed)
        : fail(`key ${want} is not in ${shownHome} (${fprs.primary.length} key(s) there)`, observed);
    } catch (e) {
      return errored(`cannot copy the keyring of ${shownHome}: ${describeFsError(e)}`, { home: shownHome });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
});
