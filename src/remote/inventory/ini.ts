import { type Inventory, InventoryBuilder } from './model.js';

type Section = { group: string; kind: 'hosts' | 'vars' | 'children'; line: number };

/**
 * Reads Ansible's INI inventory: `[group]` host lines (`name[:port] key=value …`, with ranges),
 * `[group:vars]` lines `key=value`, `[group:children]` group names, hosts before any section in
 * `ungrouped`; `#` and `;` start comments. Values are kept as the text written (quotes removed),
 * as they will fill `${NAME}` strings.
 */
export function parseIniInventory(text: string, file: string): Inventory {
  const b = new InventoryBuilder(file);
  let section: Section = { group: 'ungrouped', kind: 'hosts', line: 0 };
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1;
      const s = raw.trim();
      if (!s || s.startsWith('#') || s.startsWith(';')) return;
      const head = /^\[([^\]]*)\]\s*(?:[#;].*)?$/.exec(s);
      if (head) {
        const [group, kind = 'hosts', extra] = head[1]!.trim().split(':');
        if (extra !== undefined || !['hosts', 'vars', 'children'].includes(kind)) {
          throw b.fail(`section [${head[1]}] is not [group], [group:vars] or [group:children]`, { line });
        }
        section = { group: group!, kind: kind as Section['kind'], line };
        b.group(section.group, { line }, kind !== 'vars');
        return;
      }
      const words = splitWords(s, () => b.fail('a quote is not closed', { line }));
      if (section.kind === 'children') {
        if (words.length !== 1) throw b.fail(`[${section.group}:children] takes one group name a line, found "${s}"`, { line });
        b.child(section.group, words[0]!, { line });
      } else if (section.kind === 'vars') {
        const eq = s.indexOf('=');
        if (eq <= 0) throw b.fail(`[${section.group}:vars] takes key=value lines, found "${s}"`, { line });
        b.groupVars(section.group, { [s.slice(0, eq).trim()]: unquote(s.slice(eq + 1).trim()) }, { line });
      } else {
        const [name, ...pairs] = words as [string, ...string[]];
        const vars: Record<string, unknown> = {};
        const port = /^(.*(?:\]|[^\]:]))?:(\d+)$/.exec(name);
        if (port) vars.ansible_port = port[2];
        for (const p of pairs) {
          const eq = p.indexOf('=');
          if (eq <= 0)
            throw b.fail(`host ${name}: "${p}" is not key=value`, { line }, 'write host variables as key=value after the host name');
          vars[p.slice(0, eq)] = p.slice(eq + 1);
        }
        b.host(port ? port[1]! : name, section.group, vars, { line });
      }
    });
  return b.build();
}

/** Splits a line into words as a POSIX shell would for quotes; an unquoted `#` starting a word ends the line. */
function splitWords(s: string, unclosed: () => Error): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) throw unclosed();
      word = (word ?? '') + s.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) break;
    else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

const unquote = (v: string): string => (/^(["']).*\1$/.test(v) && v.length >= 2 ? v.slice(1, -1) : v);
