import { readFileSync } from 'node:fs';

type IdMap = { byId: Map<number, string>; byName: Map<string, number> };
const idMaps = new Map<string, IdMap>();

// Owner and group names come from this machine's account databases, read once per process.
function loadIds(file: string): IdMap {
  const cached = idMaps.get(file);
  if (cached) return cached;
  const map: IdMap = { byId: new Map(), byName: new Map() };
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (!name || id === undefined || !/^\d+$/.test(id)) continue;
      const n = Number(id);
      if (!map.byId.has(n)) map.byId.set(n, name);
      map.byName.set(name, n);
    }
  } catch {
    // No account database: names stay unknown and ids are shown as numbers.
  }
  idMaps.set(file, map);
  return map;
}

const database = (kind: 'user' | 'group') => loadIds(kind === 'user' ? '/etc/passwd' : '/etc/group');

export const userName = (uid: number): string => database('user').byId.get(uid) ?? String(uid);
export const groupName = (gid: number): string => database('group').byId.get(gid) ?? String(gid);

/** The name of an id, or undefined when the account database has none. */
export const accountName = (kind: 'user' | 'group', id: number): string | undefined => database(kind).byId.get(id);

/** The id of a user or group given by name or number, or undefined when no such account exists. */
export function accountId(kind: 'user' | 'group', nameOrId: string): number | undefined {
  if (/^\d+$/.test(nameOrId)) return Number(nameOrId);
  return database(kind).byName.get(nameOrId);
}
