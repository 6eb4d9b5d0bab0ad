import type { EnvKey } from './host.js';

const keyLine = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(=|:)(.*)$/;

/**
 * Key names of a dotenv-, ini- or `key: value`-style file, each with whether its value is empty
 * (`KEY=`, `KEY=""`, `KEY=''`, blanks, or only a ` # comment`). Values are looked at only to tell
 * empty from not and are dropped line by line; they never leave this function, so nothing
 * downstream can print them. The lines of a quoted multi-line value are skipped.
 */
export function parseEnvKeys(text: string): EnvKey[] {
  const keys: EnvKey[] = [];
  let openQuote: { quote: string; key: EnvKey } | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (openQuote) {
      const end = line.indexOf(openQuote.quote);
      if (line.slice(0, end < 0 ? undefined : end).trim()) openQuote.key.empty = false;
      if (end >= 0) openQuote = null;
      continue;
    }
    if (/^\s*([#;]|$|\[)/.test(line)) continue;
    const m = keyLine.exec(line);
    if (!m) continue;
    const rest = m[3]!.trimStart();
    const quote = rest[0];
    const key: EnvKey = { name: m[1]!, empty: true };
    keys.push(key);
    if (quote === '"' || quote === "'" || quote === '`') {
      const end = rest.indexOf(quote, 1);
      if (end < 0) {
        key.empty = !rest.slice(1).trim();
        openQuote = { quote, key };
      } else key.empty = !rest.slice(1, end).trim();
    } else {
      // Unquoted: a "#" at the start or after a blank begins a comment (as dotenv reads it).
      key.empty = !rest.replace(/(^|\s)#.*$/, '').trim();
    }
  }
  return keys;
}

/** `DOT_CUTTER_EXEC_DB_*` matches by prefix; anything else matches exactly. */
export function keyMatches(wanted: string, key: string): boolean {
  return wanted.endsWith('*') ? key.startsWith(wanted.slice(0, -1)) : key === wanted;
}
