import { type Document, isMap, isScalar, type LineCounter, type Node } from 'yaml';
import type { Place } from '../errors.js';

export type Path = readonly (string | number)[];

/** `gaps[2].checks[0].mode` from a path. */
export function fieldName(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/** Finds the line and column of a path in a parsed YAML document (the key node when `key` is set). */
export function locate(doc: Document, lines: LineCounter, file: string, path: Path, key?: string): Place {
  let node: unknown = doc.getIn(path as (string | number)[], true);
  let parentPath = path;
  while (node === undefined && parentPath.length) {
    parentPath = parentPath.slice(0, -1);
    node = parentPath.length ? doc.getIn(parentPath as (string | number)[], true) : doc.contents;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((it) => isScalar(it.key) && it.key.value === key);
    if (pair && isScalar(pair.key)) node = pair.key;
  }
  const range = (node as Node | undefined)?.range;
  const field = fieldName(key !== undefined ? [...path, key] : path) || undefined;
  if (!range) return { file, field };
  const pos = lines.linePos(range[0]);
  return { file, line: pos.line, column: pos.col, field };
}

/** The raw source text of a scalar (so `0640` shows as written, not as 640). */
export function sourceText(doc: Document, path: Path): string | undefined {
  const node = doc.getIn(path as (string | number)[], true);
  if (isScalar(node)) return (node as { source?: string }).source ?? String(node.value);
  return undefined;
}

/** The closest candidate by edit distance, for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
