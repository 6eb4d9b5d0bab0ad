import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { checkPrincipal, principalRule } from '../spec/principal.js';

/** One line of an allowed-signers file (OpenSSH's format, see ssh-keygen(1) "ALLOWED SIGNERS"). */
export interface AllowedSigner {
  line: number;
  /** The principals the key signs for, normalised by the principal rule. */
  principals: string[];
  /** The options as written: cert-authority, namespaces="…", valid-after="…", valid-before="…". */
  options: string | undefined;
  keyType: string;
  key: string;
}

const keyTypes =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(-cert-v01@openssh\.com)?$/;
const knownOption =
  /^(cert-authority|namespaces="[^"]*"|valid-after="?[0-9]{8}([0-9]{4}([0-9]{2})?)?Z?"?|valid-before="?[0-9]{8}([0-9]{4}([0-9]{2})?)?Z?"?)$/i;

/** Splits on blanks, keeping double-quoted parts together (as OpenSSH reads these files). */
function words(line: string): string[] {
  return line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

/** Splits an options field on the commas outside quotes. */
const optionList = (field: string) => field.match(/(?:[^,"]+|"[^"]*")+/g) ?? [];

/**
 * Reads an allowed-signers file in OpenSSH's own format, one signer per line:
 * `principal[,principal…] [options] key-type base64-key [comment]`. Principals are normalised by
 * the principal rule (a line naming `Alice` signs for alice); wildcards and negations, which
 * OpenSSH would accept, are refused because every signer must be named.
 * @throws ConfigError naming the file, the line and the fix.
 */
export function parseAllowedSigners(text: string, file: string): AllowedSigner[] {
  const out: AllowedSigner[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith('#')) return;
    const place = { file, line: i + 1 };
    const w = words(t);
    const at = w.findIndex((x, j) => j > 0 && keyTypes.test(x));
    if (at < 1 || at > 2 || !w[at + 1]) {
      throw new ConfigError('expected "principal[,principal] [options] key-type base64-key"', {
        place,
        fix: 'paste the public key from a .pub file after the principal, like: alice ssh-ed25519 AAAA…',
      });
    }
    const principals = w[0]!
      .replace(/^"|"$/g, '')
      .split(',')
      .map((name) => {
        const r = checkPrincipal(name);
        if (!r.ok)
          throw new ConfigError(`${r.problem} (${principalRule}; wildcards are not allowed)`, {
            place,
            fix: 'name each signer, like alice or alice@example.com',
          });
        return r.principal;
      });
    const options = at === 2 ? w[1]! : undefined;
    for (const o of options ? optionList(options) : []) {
      if (!knownOption.test(o)) {
        throw new ConfigError(`unknown or malformed option "${o}"`, {
          place,
          fix: 'use cert-authority, namespaces="flipgate", valid-after="YYYYMMDD[HHMM[SS]]Z" or valid-before="…", separated by commas',
        });
      }
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(w[at + 1]!))
      throw new ConfigError('the public key is not base64', { place, fix: 'paste the key from a .pub file unchanged' });
    out.push({ line: i + 1, principals: [...new Set(principals)], options, keyType: w[at]!, key: w[at + 1]! });
  });
  return out;
}

/** The signers written back in OpenSSH's format (normalised principals, no comments), for ssh-keygen to read. */
export function formatAllowedSigners(signers: readonly AllowedSigner[], opts: { withoutValidity?: boolean } = {}): string {
  return signers
    .map((s) => {
      let options = s.options;
      if (options && opts.withoutValidity)
        options =
          optionList(options)
            .filter((o) => !/^valid-(after|before)=/i.test(o))
            .join(',') || undefined;
      return [s.principals.join(','), options, s.keyType, s.key].filter(Boolean).join(' ');
    })
    .join('\n')
    .concat('\n');
}

/** Reads and parses the file (a missing or unreadable file is a ConfigError, exit 2). */
export async function readAllowedSigners(file: string): Promise<AllowedSigner[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`the allowed-signers file cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      place: { file, field: 'approvals.allowedSigners' },
      fix: 'create it or fix the path (relative to the workflow file)',
    });
  }
  return parseAllowedSigners(text, file);
}
