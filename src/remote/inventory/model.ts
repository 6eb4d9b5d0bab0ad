import { ConfigError, type Place } from '../../errors.js';
import { expandHostRange } from './ranges.js';

/** A group as the file defines it: its own vars, direct hosts and child groups. */
export interface InventoryGroup {
  name: string;
  vars: Record<string, unknown>;
  hosts: string[];
  children: string[];
}

/** An Ansible inventory, as read from one file. `all` and `ungrouped` always exist. */
export interface Inventory {
  file: string;
  groups: Map<string, InventoryGroup>;
  /** Host names in the order the file first names them, with each host's own vars. */
  hosts: Map<string, Record<string, unknown>>;
}

const groupName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Collects groups, hosts and vars while a parser reads a file; `build()` checks and closes it. */
export class InventoryBuilder {
  private readonly groups = new Map<string, InventoryGroup>();
  private readonly hosts = new Map<string, Record<string, unknown>>();
  private readonly declared = new Set<string>(['all', 'ungrouped']);

  constructor(readonly file: string) {}

  fail(problem: string, place: Omit<Place, 'file'>, fix?: string): ConfigError {
    return new ConfigError(problem, { place: { file: this.file, ...place }, fix });
  }

  /** The group, created on first mention; `declare` marks one the file defines (not only names). */
  group(name: string, place: Omit<Place, 'file'>, declare = true): InventoryGroup {
    if (!groupName.test(name)) throw this.fail(`"${name}" is not a group name`, place, 'use letters, digits, "_", "-" and "."');
    if (declare) this.declared.add(name);
    let g = this.groups.get(name);
    if (!g) {
      g = { name, vars: {}, hosts: [], children: [] };
      this.groups.set(name, g);
    }
    return g;
  }

  /** Adds a host (or a range of hosts) to a group, with vars that override earlier ones for it. */
  host(pattern: string, group: string, vars: Record<string, unknown>, place: Omit<Place, 'file'>): void {
    let names: string[];
    try {
      names = expandHostRange(pattern);
    } catch (e) {
      throw this.fail((e as Error).message, place);
    }
    const g = this.group(group, place);
    for (const name of names) {
      if (!/^[^\s,[\]]+$/.test(name)) throw this.fail(`"${name}" is not a host name`, place, 'close the [range] or the [section] header');
      this.hosts.set(name, { ...this.hosts.get(name), ...vars });
      if (!g.hosts.includes(name)) g.hosts.push(name);
    }
  }

  child(parent: string, child: string, place: Omit<Place, 'file'>): void {
    const p = this.group(parent, place);
    this.group(child, place, false);
    if (!p.children.includes(child)) p.children.push(child);
  }

  groupVars(name: string, vars: Record<string, unknown>, place: Omit<Place, 'file'>): void {
    Object.assign(this.group(name, place, false).vars, vars);
  }

  /** Puts every top-level group under `all` and lone hosts in `ungrouped`; refuses cycles and undefined groups. */
  build(): Inventory {
    const all = this.group('all', {});
    const ungrouped = this.group('ungrouped', {});
    for (const g of this.groups.values()) {
      if (!this.declared.has(g.name) && !g.hosts.length && !g.children.length) {
        throw this.fail(
          `group "${g.name}" is given vars or named as a child but never defined`,
          {},
          `add a [${g.name}] section (INI) or define it under a group's children (YAML)`,
        );
      }
    }
    const isChild = new Set([...this.groups.values()].flatMap((g) => g.children));
    for (const g of this.groups.values())
      if (g.name !== 'all' && !isChild.has(g.name) && !all.children.includes(g.name)) all.children.push(g.name);
    const inGroup = new Set([...this.groups.values()].filter((g) => g.name !== 'all' && g.name !== 'ungrouped').flatMap((g) => g.hosts));
    ungrouped.hosts = [...this.hosts.keys()].filter((h) => !inGroup.has(h));
    all.hosts = [];
    const inv: Inventory = { file: this.file, groups: this.groups, hosts: this.hosts };
    depths(inv);
    return inv;
  }
}

/** Each group's depth below `all` (the longest path), which orders whose vars win; throws on a cycle. */
export function depths(inv: Inventory): Map<string, number> {
  const depth = new Map<string, number>([['all', 0]]);
  const visit = (name: string, d: number, path: string[]) => {
    if (path.includes(name))
      throw new ConfigError(`groups form a cycle: ${[...path, name].join(' → ')}`, {
        place: { file: inv.file },
        fix: 'remove one of the children entries',
      });
    if ((depth.get(name) ?? -1) >= d && name !== 'all') return;
    if (name !== 'all') depth.set(name, d);
    for (const c of inv.groups.get(name)?.children ?? []) visit(c, d + 1, [...path, name]);
  };
  visit('all', 0, []);
  const lost = [...inv.groups.keys()].filter((g) => !depth.has(g));
  if (lost.length)
    throw new ConfigError(`groups form a cycle: ${lost.join(', ')} are only children of each other`, {
      place: { file: inv.file },
      fix: 'remove one of the children entries',
    });
  return depth;
}
