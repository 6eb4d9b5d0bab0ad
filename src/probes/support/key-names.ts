import { readFile } from 'node:fs/promises';

const keyLine = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(=|:)\s*(.?)/;

/**
 * Key names of a dotenv-, ini- or `key: value`-style file. Values are dropped line by line as they
 * are parsed and never leave this function, so nothing downstream can print them.
 */
export async function readKeyNames(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const keys: string[] = [];
  let openQuote: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (openQuote) {
      if (line.includes(openQuote)) openQuote = null;
      continue;
    }
    if (/^\s*([#;]|$|\[)/.test(line)) continue;
    const m = keyLine.exec(line);
    if (!m) continue;
    keys.push(m[1]!);
    const quote = m[3];
    if (quote === '"' || quote === "'" || quote === '`') {
      const rest = line.slice(line.indexOf(quote, m[0].length - 1) + 1);
      if (!rest.includes(quote)) openQuote = quote;
    }
  }
  return keys;
}

/** `DOT_CUTTER_EXEC_DB_*` matches by prefix; anything else matches exactly. */
export function keyMatches(wanted: string, key: string): boolean {
  return wanted.endsWith('*') ? key.startsWith(wanted.slice(0, -1)) : key === wanted;
}
