import path from 'node:path';
import { readFileSync } from 'node:fs';

/** Maps a spec path onto the host root given by `--root` (default `/`). */
export function resolveHostPath(root: string, p: string): string {
  return root === '/' ? p : path.join(root, p);
}

const fsWords: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  EISDIR: 'is a directory',
  EIO: 'input/output error',
  ENAMETOOLONG: 'name too long',
};

/** A file-system error in words, without echoing anything read from a file. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && fsWords[code]) return `${fsWords[code]} (${code})`;
  return code ? `file-system error ${code}` : 'file-system error';
}

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

type IdMap = { byId: Map<number, string>; byName: Map<string, number> };
const idMaps = new Map<string, IdMap>();

// Owner and group names come from the host's account databases, read once per process.
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

export const userName = (uid: number): string => loadIds('/etc/passwd').byId.get(uid) ?? String(uid);
export const groupName = (gid: number): string => loadIds('/etc/group').byId.get(gid) ?? String(gid);

/** True when `want` (a name or a numeric id) names the same account as `id`. */
export function sameAccount(want: string, id: number, kind: 'user' | 'group'): boolean {
  if (/^\d+$/.test(want)) return Number(want) === id;
  return (kind === 'user' ? userName(id) : groupName(id)) === want;
}
