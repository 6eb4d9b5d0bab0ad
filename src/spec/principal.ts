import { ConfigError, type Place } from '../errors.js';

/** What a principal looks like once normalised. */
export const principalPattern = /^[a-z0-9][a-z0-9._@+-]{0,63}$/;

/** The rule, as every message states it. */
export const principalRule =
  'a principal is Unicode NFKC-normalised, trimmed and lower-cased, then must match ^[a-z0-9][a-z0-9._@+-]{0,63}$';

const principalFix =
  'write it with a-z, 0-9 and . _ @ + - only, starting with a letter or digit, at most 64 characters (like alice or alice@example.com)';

export type PrincipalCheck = { ok: true; principal: string } | { ok: false; problem: string };

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Applies the principal rule to a name as written: NFKC, trim, lower-case, then the pattern. Every
 * place a name enters flipgate goes through it, so that `alice`, `Alice` and `alice ` are one
 * person and a look-alike such as `аlice` (Cyrillic а) is refused rather than counted as another.
 * @example
 * checkPrincipal(' Alice ');  // { ok: true, principal: 'alice' }
 * checkPrincipal('аlice');    // { ok: false, problem: '"аlice" is not a valid principal: "а" (U+0430) is not allowed' }
 */
export function checkPrincipal(raw: string): PrincipalCheck {
  const name = raw.normalize('NFKC').trim().toLowerCase();
  if (principalPattern.test(name)) return { ok: true, principal: name };
  const shown = JSON.stringify(raw);
  if (!name) return { ok: false, problem: `${shown} is not a valid principal: it is empty` };
  if (name.length > 64) return { ok: false, problem: `${shown} is not a valid principal: it is longer than 64 characters` };
  const bad = [...name].find((ch, i) => !(i === 0 ? /[a-z0-9]/ : /[a-z0-9._@+-]/).test(ch));
  if (bad && /[a-z0-9._@+-]/.test(bad))
    return { ok: false, problem: `${shown} is not a valid principal: it must start with a letter or digit, not "${bad}"` };
  return { ok: false, problem: `${shown} is not a valid principal: "${bad}" (${codePoint(bad ?? '?')}) is not allowed` };
}

/**
 * The normalised principal, or a ConfigError (exit 2) that names the name, where it came from and
 * the rule.
 */
export function normalizePrincipal(raw: string, place: Place = {}): string {
  const r = checkPrincipal(raw);
  if (r.ok) return r.principal;
  throw new ConfigError(`${r.problem} (${principalRule})`, { place, fix: principalFix });
}

/** The normalised form of a name read back from a record, or undefined when it breaks the rule (it then counts for no one). */
export function principalKey(raw: string): string | undefined {
  const r = checkPrincipal(raw);
  return r.ok ? r.principal : undefined;
}

/** Whether two names as written are one principal (a name that breaks the rule is no one's). */
export function samePrincipal(a: string, b: string): boolean {
  const ka = principalKey(a);
  return ka !== undefined && ka === principalKey(b);
}

/** The text a spec problem about a bad principal name carries (rule and fix included). */
export function principalProblem(problem: string): string {
  return `${problem} — ${principalFix}; ${principalRule}`;
}
