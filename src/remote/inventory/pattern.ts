import { ConfigError } from '../../errors.js';
import type { Inventory } from './model.js';

/**
 * The hosts a `--hosts` pattern selects, in the inventory's order. Supported (a subset of
 * Ansible's): `all` or `*`; a group or host name; `*` and `?` wildcards; lists joined by `,` (or
 * `:`); `&name` keeps only hosts also in name; `!name` removes them (unions first, then
 * intersections, then exclusions, as Ansible does). Refused: `~regex` and `group[0:2]` subscripts.
 * A term that matches nothing is an error, so that a typo never narrows a survey unseen.
 *
 * @example selectHosts(inv, 'web,db:!web03')
 */
export function selectHosts(inv: Inventory, pattern: string): string[] {
  const fail = (problem: string) =>
    new ConfigError(problem, {
      place: { field: '--hosts' },
      fix: `name groups or hosts of ${inv.file}, e.g. all, web, web01,db01, web:!web03`,
    });
  if (/[~[\]]/.test(pattern)) throw fail(`pattern "${pattern}" uses a regex (~) or a subscript ([…]), which flipgate does not support`);
  const terms = (pattern.includes(',') ? pattern.split(',') : pattern.split(':')).map((t) => t.trim());
  if (!terms.length || terms.some((t) => t === '' || t === '!' || t === '&')) throw fail(`pattern "${pattern}" has an empty term`);
  const order = [...inv.hosts.keys()];
  const plus = terms.filter((t) => !/^[!&]/.test(t));
  let chosen = new Set<string>();
  for (const t of plus.length ? plus : ['all']) for (const h of match(inv, t, fail)) chosen.add(h);
  for (const t of terms.filter((x) => x.startsWith('&'))) {
    const keep = new Set(match(inv, t.slice(1), fail));
    chosen = new Set([...chosen].filter((h) => keep.has(h)));
  }
  for (const t of terms.filter((x) => x.startsWith('!'))) for (const h of match(inv, t.slice(1), fail)) chosen.delete(h);
  return order.filter((h) => chosen.has(h));
}

function match(inv: Inventory, term: string, fail: (p: string) => ConfigError): string[] {
  if (term === 'all' || term === '*') return [...inv.hosts.keys()];
  const wild = /[*?]/.test(term);
  const re = new RegExp(
    `^${term
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const groups = [...inv.groups.keys()].filter((g) => (wild ? re.test(g) : g === term));
  const found = new Set(groups.flatMap((g) => hostsUnder(inv, g)));
  if (!groups.length || wild) for (const h of inv.hosts.keys()) if (wild ? re.test(h) : h === term) found.add(h);
  if (!found.size) throw fail(`"${term}" matches no group or host in ${inv.file}`);
  return [...found];
}

/** Every host of a group and of its children, at any depth. */
export function hostsUnder(inv: Inventory, group: string): string[] {
  if (group === 'all') return [...inv.hosts.keys()];
  const g = inv.groups.get(group);
  return g ? [...g.hosts, ...g.children.flatMap((c) => hostsUnder(inv, c))] : [];
}
