import { hostPath } from './support/params.js';
import { defineProbe, errored, fail, pass } from './types.js';

const normalFpr = (s: string): string => s.replace(/\s+/g, '').toUpperCase();

/**
 * A public key is in a GnuPG keyring. gpg writes to its home even to list keys (an empty home
 * gets pubring.kbx and trustdb.gpg), so the host lists them from a throw-away copy of the public
 * keyring and the real one is never touched.
 */
export const gpgKeyProbe = defineProbe({
  kind: 'gpg.key',
  summary: 'a public key (a fingerprint, or any key) is in the keyring of GNUPGHOME, ~/.gnupg or `home`; the keyring is not written',
  waitsOn: 'process',
  params: (z) => ({
    fingerprint: z
      .string()
      .regex(/^[0-9A-Fa-f ]{16,}$/, {
        error: 'must be a hex fingerprint — give the 40 hex digits of a v4 key (gpg --fingerprint shows them)',
      })
      .optional(),
    any: z.literal(true).optional(),
    home: hostPath(z).optional(),
  }),
  lint: (p) =>
    (p.fingerprint === undefined) === (p.any === undefined)
      ? [{ field: 'fingerprint', problem: 'give exactly one of fingerprint: <hex> or any: true' }]
      : [],
  async run(p, ctx) {
    const r = await ctx.host.gpgKeys(p.home, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, env: ctx.env });
    if (!r.ok) return errored(r.detail, { home: p.home ?? null });
    const home = r.home;
    if (r.keyring === 'missing') return fail(`keyring empty: ${home} does not exist`, { home, keys: 0 });
    if (r.keyring === 'no-keyring') return fail(`keyring empty: ${home} holds no public keyring`, { home, keys: 0 });
    const observed = { home, keys: r.primary.length, fingerprints: r.primary };
    if (p.any) {
      return r.primary.length
        ? pass(`${r.primary.length} public key(s) in ${home}`, observed)
        : fail(`keyring empty: no public keys in ${home}`, observed);
    }
    const want = normalFpr(p.fingerprint!);
    const hit = r.all.some((f) => f === want || (want.length < 40 && f.endsWith(want)));
    return hit
      ? pass(`key ${want} is in ${home}`, observed)
      : fail(`key ${want} is not in ${home} (${r.primary.length} key(s) there)`, observed);
  },
});
