import { ConfigError } from '../errors.js';

/**
 * The dialect of `file.contains` on a remote target. A file's text must not leave the target, so
 * the match runs there with `grep -E` (POSIX ERE, C locale, line by line), and the spec's JavaScript
 * pattern is translated. Supported: literals, `.`, `[…]` and `[^…]` classes with ranges, `\d \w \s`
 * and their negations (outside classes), `^ $` as line anchors, `| ( ) (?: )`, `* + ? {n} {n,} {n,m}`
 * and their lazy forms (a lazy quantifier finds the same lines), `\t \r \xHH \uHHHH` and escaped
 * punctuation, and `\b` at the very end of a pattern after a word character (`PASS\b`) or at its very
 * start before one (a match only says which lines match, so the boundary may take the character
 * beside it). Refused with a clear error: lookarounds, backreferences, other `\b` and `\B`, `\n` and other
 * multi-line constructs, Unicode property classes, and a non-ASCII character that is repeated or
 * inside a class. grep runs in the C locale, so `.`, `\W` and negated classes see the bytes of a
 * non-ASCII character, not the character: a pattern counting characters on such lines can differ.
 *
 * @example toPosixEre('^VERSION\\s*=\\s*"2\\.\\d+"') // '^VERSION[[:space:]]*=[[:space:]]*"2\\.[0-9]+"'
 */
export function toPosixEre(pattern: string): string {
  const refuse = (what: string) =>
    new ConfigError(`pattern /${pattern}/ uses ${what}, which grep -E on a remote target cannot run`, {
      place: { field: 'pattern' },
      fix: 'rewrite it with what POSIX ERE has (see "Remote hosts and fleets" in the README), or survey locally',
    });
  const shorthand: Record<string, string> = {
    d: '[0-9]',
    D: '[^0-9]',
    w: '[A-Za-z0-9_]',
    W: '[^A-Za-z0-9_]',
    s: '[[:space:]]',
    S: '[^[:space:]]',
  };
  try {
    new RegExp(pattern, 'm');
  } catch {
    throw refuse('a syntax JavaScript itself rejects');
  }
  let out = '';
  let i = 0;
  let lastWasAtom = false;
  let lastNonAscii = false;
  // The last atom always matches a word character (\w, \d, a letter, a digit or _).
  let lastWord = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\' && pattern[i + 1] === 'b') {
      const rest = pattern.slice(i + 2);
      if (lastWord && (rest === '' || rest === '$')) out += rest === '' ? '([^A-Za-z0-9_]|$)' : '';
      else if ((i === 0 || (i === 1 && pattern[0] === '^')) && /^(?:[A-Za-z0-9_]|\\[wd])/.test(rest))
        out += i === 0 ? '(^|[^A-Za-z0-9_])' : '';
      else throw refuse('\\b (a word boundary) anywhere but at the very end after a word character or at the very start before one');
      i += 2;
      lastWasAtom = false;
      lastWord = false;
    } else if (c === '\\') {
      const [text, used] = escapeOutside(pattern, i, refuse);
      out += shorthand[pattern[i + 1]!] ?? text;
      lastNonAscii = /[^\x00-\x7f]/.test(text);
      lastWasAtom = true;
      lastWord = 'wd'.includes(pattern[i + 1]!) || /^[A-Za-z0-9_]$/.test(text);
      i += used;
    } else if (c === '[') {
      const [text, used] = bracket(pattern, i, refuse);
      out += text;
      lastWasAtom = true;
      lastNonAscii = false;
      lastWord = false;
      i += used;
    } else if (c === '(') {
      if (pattern.startsWith('(?:', i)) i += 3;
      else if (/^\(\?<[A-Za-z_]/.test(pattern.slice(i))) i = pattern.indexOf('>', i) + 1;
      else if (pattern[i + 1] === '?') throw refuse(`a lookaround (${pattern.slice(i, i + 4)}…)`);
      else i += 1;
      out += '(';
      lastWasAtom = false;
      lastWord = false;
    } else if ('*+?'.includes(c) || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      if (!lastWasAtom) throw refuse(`a quantifier with nothing to repeat at position ${i}`);
      if (lastNonAscii) throw refuse('a repeated non-ASCII character');
      const q = c === '{' ? /^\{\d+(,\d*)?\}/.exec(pattern.slice(i))![0] : c;
      out += q;
      i += q.length;
      if (pattern[i] === '?') i += 1; // lazy: the same lines match
      lastWasAtom = false;
      lastWord &&= q === '+' || /^\{[1-9]/.test(q);
    } else {
      out += c === '{' ? '\\{' : c;
      lastWasAtom = !'|^$'.includes(c);
      lastNonAscii = /[^\x00-\x7f]/.test(c);
      lastWord = /^[A-Za-z0-9_]$/.test(c);
      i += 1;
    }
  }
  return out;
}

type Refuse = (what: string) => ConfigError;
const special = '.[]()*+?{}|^$\\';

// One escape outside a class: [its ERE text, characters consumed].
function escapeOutside(p: string, i: number, refuse: Refuse): [string, number] {
  const e = p[i + 1];
  if (e === undefined) throw refuse('a trailing backslash');
  if ('dDwWsS'.includes(e)) return ['', 2];
  const literal = escapedLiteral(p, i, refuse);
  if (literal) return [special.includes(literal[0]) ? `\\${literal[0]}` : literal[0], literal[1]];
  throw refuse(`\\${e}`);
}

// \t \r \f \v \xHH \uHHHH and escaped punctuation, as the character they stand for.
function escapedLiteral(p: string, i: number, refuse: Refuse): [string, number] | undefined {
  const e = p[i + 1]!;
  const simple: Record<string, string> = { t: '\t', r: '\r', f: '\f', v: '\v' };
  if (simple[e]) return [simple[e], 2];
  const hex = /^x([0-9A-Fa-f]{2})|^u([0-9A-Fa-f]{4})/.exec(p.slice(i + 1));
  if (hex) {
    const code = parseInt(hex[1] ?? hex[2]!, 16);
    if (code === 0) throw refuse('a NUL character');
    return [String.fromCharCode(code), 1 + hex[0].length];
  }
  if (e === 'n') throw refuse('\\n (a match across lines; a remote match is line by line)');
  if (e === 'b' || e === 'B') throw refuse(`\\${e} (a word boundary; write [^A-Za-z0-9_] or an anchor instead)`);
  if (/[0-9]/.test(e)) throw refuse(`\\${e} (a backreference)`);
  if (/[A-Za-z]/.test(e)) throw refuse(`\\${e}`);
  return [e, 2];
}

// A class [...] as an ERE bracket: "]" first, "-" last, "^" never first unless it negates.
function bracket(p: string, start: number, refuse: Refuse): [string, number] {
  let i = start + 1;
  const negate = p[i] === '^';
  if (negate) i += 1;
  const parts: string[] = [];
  const literals = new Set<string>();
  while (i < p.length && p[i] !== ']') {
    const c = p[i]!;
    if (/[^\x00-\x7f]/.test(c)) throw refuse('a non-ASCII character inside [...]');
    if (c === '\\') {
      const e = p[i + 1];
      const classes: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_', s: '[:space:]' };
      if (e && classes[e]) parts.push(classes[e]);
      else if (e && 'DWS'.includes(e)) throw refuse(`\\${e} inside [...]`);
      else if (e === 'n') parts.push('');
      else {
        const lit = escapedLiteral(p, i, refuse)!;
        if (/^-[^\]]/.test(p.slice(i + lit[1]))) throw refuse('a range with an escaped end inside [...]');
        literals.add(lit[0]);
        i += lit[1];
        continue;
      }
      i += 2;
    } else if (c === '-' || c === ']' || c === '^') {
      literals.add(c);
      i += 1;
    } else if (c === '[' && /^\[[:.=]/.test(p.slice(i))) {
      throw refuse('a POSIX class inside a JavaScript class');
    } else {
      const range = /^(.)-([^\]\\])/.exec(p.slice(i));
      parts.push(range ? range[0] : c);
      i += range ? 3 : 1;
    }
  }
  if (i >= p.length) throw refuse('an unclosed [');
  const others = [...literals].filter((l) => !']^-'.includes(l)).join('');
  let body = (literals.has(']') ? ']' : '') + parts.join('') + others + (literals.has('^') ? '^' : '') + (literals.has('-') ? '-' : '');
  if (body === '') throw refuse(negate ? '[^] (any character, newline included)' : '[] (a class that matches nothing)');
  if (body === '^' && !negate) return ['\\^', i + 1 - start];
  if (body === '^-') body = '-^';
  return [`[${negate ? '^' : ''}${body}]`, i + 1 - start];
}
